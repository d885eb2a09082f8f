// The stream producer's overlay (an OBS/vMix browser source): the last two caption lines of one language, on transparent.
(function () {
  "use strict";
  var q = new URLSearchParams(location.search), box = document.getElementById("lines"), last = [], state = {};
  fetch("api/state", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
    state = s;
    var lang = (s.languages || []).indexOf(q.get("lang")) >= 0 ? q.get("lang") : s.source;
    document.documentElement.lang = lang; box.dir = (s.dirs || {})[lang] || "auto";
    var source = new EventSource("events");
    source.onmessage = function (e) {
      var line = JSON.parse(e.data);
      if (!line.final || line.lang !== lang) return;
      last = last.concat(line.text.split("\n")).slice(-2);
      box.textContent = "";
      last.forEach(function (text, i) { if (i) box.appendChild(document.createElement("br")); var s = document.createElement("span"); s.textContent = text; box.appendChild(s); });
      document.body.dataset.lines = String((+document.body.dataset.lines || 0) + 1);
    };
  });
})();
