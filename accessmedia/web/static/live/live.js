// The live caption page: lines arrive over server-sent events (web/live.py); a reconnecting browser gets what it missed.
(function () {
  "use strict";
  var WORDS = JSON.parse(document.getElementById("interface-words").textContent);
  var q = new URLSearchParams(location.search), lang = q.get("lang"), state = {}, size = 1.6;
  var box = document.getElementById("captions"), tail = document.getElementById("tail"), notice = document.getElementById("notice");
  var follow = document.getElementById("follow"), select = document.getElementById("lang"), lines = [];
  function ui() { return WORDS[lang] ? lang : (WORDS[(navigator.language || "en").split("-")[0]] ? (navigator.language || "en").split("-")[0] : "en"); }
  function w(key) { return (WORDS[ui()] || WORDS.en)[key] || WORDS.en[key]; }
  function words() {
    document.documentElement.lang = ui();
    document.documentElement.dir = (state.dirs || {})[ui()] || (["ar", "fa", "ur"].indexOf(ui()) >= 0 ? "rtl" : "ltr");
    Array.prototype.forEach.call(document.querySelectorAll("[data-word]"), function (el) { el.textContent = w(el.dataset.word); });
    document.title = w("title");
  }
  function shown() { return (state.languages || []).indexOf(lang) >= 0 ? lang : state.source; }
  function atEnd() { return box.scrollHeight - box.scrollTop - box.clientHeight < 40; }
  function add(line) {
    var p = document.createElement("p");
    p.lang = line.lang; p.dir = (state.dirs || {})[line.lang] || "auto";
    if (line.speaker) { var who = document.createElement("span"); who.className = "who"; who.textContent = line.speaker + ": "; p.appendChild(who); }
    p.appendChild(document.createTextNode(line.text));
    var stay = atEnd();
    box.appendChild(p);
    while (box.children.length > 400) box.removeChild(box.firstChild);
    if (stay) box.scrollTop = box.scrollHeight; else follow.hidden = false;
  }
  function redraw() {
    box.textContent = ""; tail.textContent = "";
    var want = shown();
    lines.filter(function (l) { return l.final && l.lang === want; }).forEach(add);
    notice.textContent = lang && want !== lang ? w("missing") : (lines.length ? "" : w("waiting"));
  }
  function menu() {
    select.textContent = "";
    (state.languages || []).concat(state.missing || []).forEach(function (code) {
      var o = document.createElement("option"); o.value = code; o.lang = code;
      o.textContent = (state.names || {})[code] || code; select.appendChild(o);
    });
    select.value = lang || state.source;
  }
  select.addEventListener("change", function () {
    lang = select.value; q.set("lang", lang); history.replaceState(null, "", "?" + q.toString()); words(); redraw();
  });
  document.getElementById("larger").addEventListener("click", function () { size = Math.min(4, size + 0.2); box.style.setProperty("--size", size + "rem"); document.documentElement.style.setProperty("--size", size + "rem"); });
  document.getElementById("smaller").addEventListener("click", function () { size = Math.max(1, size - 0.2); document.documentElement.style.setProperty("--size", size + "rem"); });
  document.getElementById("announce").addEventListener("change", function (e) { box.setAttribute("aria-live", e.target.checked ? "polite" : "off"); });
  box.addEventListener("scroll", function () { if (atEnd()) follow.hidden = true; });
  follow.addEventListener("click", function () { box.scrollTop = box.scrollHeight; follow.hidden = true; });
  fetch("api/state", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
    state = s; lang = lang || s.source; words(); menu(); redraw();
    var source = new EventSource("events");
    source.onmessage = function (e) {
      var line = JSON.parse(e.data);
      notice.textContent = lang && shown() !== lang ? w("missing") : "";
      if (!line.final) { if (line.lang === shown()) tail.textContent = line.text + " " + w("hearing"); return; }
      lines.push(line);
      if (lines.length > 4000) lines.splice(0, lines.length - 4000);
      if (line.lang === shown()) { tail.textContent = ""; add(line); }
      document.body.dataset.lines = String(lines.length);
    };
    source.addEventListener("end", function () { notice.textContent = w("ended"); source.close(); document.body.dataset.ended = "1"; });
    source.onerror = function () { if (source.readyState !== 2) notice.textContent = w("reconnecting"); };
    source.onopen = function () { if (notice.textContent === w("reconnecting")) notice.textContent = ""; };
  });
})();
