// What both test dashboards share: the page's parameters, a status line the driver waits on,
// and one list item per received message, as "<topic or destination> <payload>".
'use strict';

const dashboard = {
  params: new URLSearchParams(location.search),

  setStatus(text) {
    document.getElementById('status').textContent = text;
  },

  show(source, payloadText) {
    const item = document.createElement('li');
    item.dataset.source = source;
    item.textContent = `${source} ${payloadText}`;
    document.getElementById('messages').appendChild(item);
  },
};
window.dashboard = dashboard;
