// @stomp/stompjs over WebSocket, as a RabbitMQ Web-STOMP dashboard would use it: subscribes to
// a destination (with a receipt, so the driver knows the subscription is in place) and lists
// MESSAGE frames by their destination header.
// Parameters: url (ws://host:port/ws), destination, show ("text", the default, or "hex" to
// list bodies as hex bytes, for binary payloads).
'use strict';

(() => {
  const url = dashboard.params.get('url');
  const destination = dashboard.params.get('destination') || '/topic/plant.*.temp';
  const hex = dashboard.params.get('show') === 'hex';
  const bodyText = (message) => (hex
    ? [...message.binaryBody].map((b) => b.toString(16).padStart(2, '0')).join('')
    : message.body);
  const client = new StompJs.Client({
    brokerURL: url,
    reconnectDelay: 0,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
  });
  dashboard.setStatus('connecting');
  client.onConnect = (frame) => {
    dashboard.setStatus(`connected (STOMP ${frame.headers.version})`);
    const receipt = 'sub-receipt-1';
    client.watchForReceipt(receipt, () => dashboard.setStatus('subscribed'));
    client.subscribe(destination,
      (message) => dashboard.show(message.headers.destination, bodyText(message)),
      { receipt });
  };
  client.onStompError = (frame) => dashboard.setStatus(`error: ${frame.headers.message}`);
  client.onWebSocketError = () => dashboard.setStatus('error: websocket');
  client.onWebSocketClose = (evt) => {
    if (!document.getElementById('status').textContent.startsWith('error')) {
      dashboard.setStatus(`closed ${evt.code}`);
    }
  };
  dashboard.send = (dest, body) => {
    client.publish({ destination: dest, body });
    return 'sent';
  };
  client.activate();
})();
