// MQTT.js over WebSocket: subscribes to a topic filter and lists what arrives.
// Parameters: url (ws://host:port/mqtt), filter, qos.
'use strict';

(() => {
  const url = dashboard.params.get('url');
  const filter = dashboard.params.get('filter') || 'plant/+/temp';
  const qos = Number(dashboard.params.get('qos') || '1');
  const client = mqtt.connect(url, {
    clientId: `dashboard-${Math.random().toString(16).slice(2, 10)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  dashboard.setStatus('connecting');
  client.on('connect', () => {
    dashboard.setStatus('connected');
    client.subscribe(filter, { qos }, (err, granted) => {
      if (err || !granted.length || granted[0].qos === 128) {
        dashboard.setStatus(`subscribe failed: ${err ? err.message : 'refused'}`);
        return;
      }
      dashboard.setStatus('subscribed');
    });
  });
  client.on('message', (topic, payload) => dashboard.show(topic, new TextDecoder().decode(payload)));
  client.on('error', (err) => dashboard.setStatus(`error: ${err.message}`));
  client.on('close', () => {
    if (!document.getElementById('status').textContent.startsWith('error')) {
      dashboard.setStatus('closed');
    }
  });
  dashboard.send = (topic, body) =>
    new Promise((resolve, reject) =>
      client.publish(topic, body, { qos: 1 }, (err) => (err ? reject(err) : resolve('sent'))));
})();
