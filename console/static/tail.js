// The live tail: rows rendered on the server arrive as server-sent events and go on top.
(function () {
  "use strict";
  var table = document.getElementById("tail");
  var body = document.getElementById("tail-body");
  var status = document.getElementById("tail-status");
  if (!table || !body || !window.EventSource) { return; }
  var max = 500;
  var es = new EventSource(table.getAttribute("data-src"));
  es.onopen = function () { status.textContent = "live"; status.className = "live on"; };
  es.onerror = function () { status.textContent = "reconnecting…"; status.className = "live off"; };
  es.addEventListener("status", function (e) { status.textContent = e.data; });
  // "ready" comes once the server reads every shard: from then on a new record shows.
  es.addEventListener("ready", function (e) { status.textContent = "live"; status.className = "live on"; status.title = e.data; });
  es.addEventListener("records", function (e) {
    var tpl = document.createElement("template");
    tpl.innerHTML = e.data;
    var rows = Array.prototype.slice.call(tpl.content.querySelectorAll("tr"));
    for (var i = 0; i < rows.length; i++) { body.insertBefore(rows[i], body.firstChild); }
    while (body.rows.length > max) { body.deleteRow(body.rows.length - 1); }
  });
})();
