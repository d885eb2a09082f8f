// The review editor: cues beside the video, rule breaches as people type, saves through the review app.
(function () {
  "use strict";
  var q = new URLSearchParams(location.search), data = null, TAGS = null;  // span tags (not counted): markup.py's grammar
  // The editor's own words (web/static/interface.json), in one language: the one chosen in the studio or here (kept in
  // the browser), else the browser's.
  var WORDS = JSON.parse(document.getElementById("interface-words").textContent);
  var words = window.pageWords(WORDS), ui = words.ui, w = words.t;  // static/words.js: shared with the studio
  function why(f) {  // a flag's reason in the page's language: [start, end, English reason, kind, ratio]
    var key = "flag_" + (f[3] || "");
    if (!f[3] || w(key) === key) return f[2];  // a record written before flags had kinds
    return w(key, {times: Number(f[4]).toFixed(1), percent: Math.round(Number(f[4]) * 100)});
  }
  function applyWords() {
    document.documentElement.lang = ui;
    Array.prototype.forEach.call(document.querySelectorAll("[data-word]"), function (el) { el.textContent = w(el.dataset.word); });
    document.getElementById("ui-language").value = ui;
  }
  applyWords();
  document.getElementById("ui-language").addEventListener("change", function (e) {
    words.choose(e.target.value);
    ui = words.ui;
    applyWords();
    if (data) { data.cues = rows(); list.textContent = ""; render(); }  // the cues as they are now, edits kept
  });
  // Unsaved edits are never lost without a warning.
  var dirty = false;
  function edited() { dirty = true; document.getElementById("unsaved").hidden = false; }
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = w("leave_unsaved"); return e.returnValue; } });
  var list = document.getElementById("cues"), video = document.getElementById("video"), status = document.getElementById("status");
  function parse(t) { var m = /^(?:(\d+):)?(\d+):(\d+)[.,](\d{1,3})$/.exec(t.trim()); if (!m) return NaN;
    return (+(m[1] || 0)) * 3600 + (+m[2]) * 60 + (+m[3]) + (+m[4].padEnd(3, "0")) / 1000; }
  function fmt(s) { var ms = Math.round(s * 1000), h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, x = Math.floor(ms / 1000) % 60;
    return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(x).padStart(2, "0") + "." + String(ms % 1000).padStart(3, "0"); }
  function rows() { return Array.prototype.map.call(list.children, function (li) {
    return [parse(li.querySelector(".start").value), parse(li.querySelector(".end").value), li.querySelector("textarea").value,
            li.dataset.settings || ""]; }); }
  function check() {
    var r = data.rules, all = rows(), found = [];
    Array.prototype.forEach.call(list.children, function (li, i) {
      var c = all[i], out = [], lines = c[2].replace(TAGS, "").split("\n"), d = c[1] - c[0];
      if (isNaN(c[0]) || isNaN(c[1])) out.push(w("bad_time"));
      if (lines.length > r.max_lines) out.push(w("lines", { n: lines.length, max: r.max_lines }));
      lines.forEach(function (l) { if (l.length > r.max_chars_per_line) out.push(w("line_length", { n: l.length, max: r.max_chars_per_line })); });
      if (d <= 0) out.push(w("backwards"));
      else { var cps = lines.join("").length / d; if (cps > r.max_cps) out.push(w("cps", { cps: cps.toFixed(1), max: r.max_cps }));
        if (d < r.min_duration) out.push(w("too_short")); if (d > r.max_duration) out.push(w("too_long")); }
      if (i + 1 < all.length && all[i + 1][0] < c[1]) out.push(w("overlaps"));
      li.querySelector(".breach").textContent = out.join("; ");
      if (out.length) found.push([i, out.join("; ")]);
    });
    var ul = document.getElementById("breach-list");  // every breach, each a way to its cue
    ul.textContent = "";
    found.forEach(function (f) {
      var li = document.createElement("li"), go = document.createElement("button");
      go.type = "button"; go.className = "jump"; go.textContent = w("breach_item", { n: f[0] + 1, what: f[1] });
      go.addEventListener("click", function () {
        var cue = list.children[f[0]]; cue.scrollIntoView({ block: "center" }); cue.querySelector("textarea").focus();
      });
      li.appendChild(go); ul.appendChild(li);
    });
    document.getElementById("no-breaches").hidden = found.length > 0;
  }
  function render() {
    document.getElementById("title").textContent = data.title + " · " + data.language;
    document.title = data.title + " · " + data.language + " · " + w("title");
    var back = document.getElementById("back");
    back.href = data.home; back.dataset.word = data.home === "./" ? "back_index" : "back_studio"; back.textContent = w(back.dataset.word);
    list.setAttribute("dir", data.dir); list.setAttribute("lang", data.lang);
    data.cues.forEach(function (c, i) {
      var li = document.createElement("li"); li.className = "cue"; li.dataset.settings = c[3] || "";
      var times = document.createElement("div"); times.className = "times";
      ["start", "end"].forEach(function (k, j) { var label = document.createElement("label"); label.textContent = " " + w(j ? "end" : "start") + " ";
        var input = document.createElement("input"); input.className = k; input.value = fmt(c[j]); input.setAttribute("aria-label", w(j ? "cue_end" : "cue_start", { n: i + 1 }));
        input.addEventListener("input", check); input.addEventListener("input", edited); label.appendChild(input); times.appendChild(label); });
      var text = document.createElement("textarea"); text.value = c[2]; text.setAttribute("aria-label", w("cue_text", { n: i + 1 }));
      text.addEventListener("input", check); text.addEventListener("input", edited); text.addEventListener("focus", function () { if (data.video) video.currentTime = c[0]; });
      var breach = document.createElement("p"); breach.className = "breach"; breach.setAttribute("aria-live", "polite");
      li.appendChild(times); li.appendChild(text); li.appendChild(breach);
      var unsure = (data.unsure || []).filter(function (u) { return u[0] >= c[0] - 0.001 && u[0] < c[1] - 0.001; });
      if (unsure.length) {  // the words the speech model was unsure of, marked: a textarea cannot mark its own words
        var p = document.createElement("p"); p.className = "unsure"; p.textContent = w("unsure") + ": ";
        unsure.forEach(function (u, k) { var m = document.createElement("mark"); m.textContent = u[2];
          if (k) p.appendChild(document.createTextNode(" ")); p.appendChild(m); });
        li.appendChild(p); li.dataset.unsure = String(unsure.length);
      }
      (data.check || []).forEach(function (f) {  // the machine translation's cues to look at first
        if (c[0] < f[1] - 0.001 && f[0] < c[1] - 0.001) {
          var flag = document.createElement("p"); flag.className = "flag"; flag.textContent = w("check") + ": " + why(f);
          li.appendChild(flag); li.dataset.check = "1";
        }
      });
      (data.left_out || []).forEach(function (o) {  // what condensation left out of this cue, to put back
        if (Math.abs(c[0] - o[0]) > 0.01 || Math.abs(c[1] - o[1]) > 0.01) return;
        var note = document.createElement("p"), back = document.createElement("button");
        note.className = "left-out"; note.textContent = w("left_out") + ": " + o[3].join(" ") + " ";
        back.type = "button"; back.className = "put-back"; back.textContent = w("put_back");
        back.setAttribute("aria-label", w("put_back") + ": cue " + (i + 1));
        back.addEventListener("click", function () { text.value = o[2]; note.remove(); check(); edited(); text.focus(); });
        note.appendChild(back); li.appendChild(note);
      });
      list.appendChild(li);
    });
    if (!data.video) video.hidden = true;
    else if (video.getAttribute("src") !== data.video) video.src = data.video;
    var flagged = list.querySelectorAll("li[data-check]");
    if (flagged.length) {
      document.getElementById("check-count").textContent = String(flagged.length);
      document.getElementById("check-summary").hidden = false;
      document.getElementById("check-first").onclick = function () {
        flagged[0].scrollIntoView({ block: "center" }); flagged[0].querySelector("textarea").focus();
      };
    }
    var doubtful = list.querySelectorAll("li[data-unsure]"), next = 0;
    if (doubtful.length) {
      document.getElementById("unsure-count").textContent = w("unsure_count", { n: (data.unsure || []).length });
      document.getElementById("unsure-summary").hidden = false;
      document.getElementById("next-unsure").onclick = function () {  // one cue after another, round again at the end
        var cue = doubtful[next % doubtful.length]; next += 1;
        cue.scrollIntoView({ block: "center" }); cue.querySelector("textarea").focus();
      };
    }
    check();
  }
  function save(prefer) {
    status.textContent = w("saving");
    var conflict = document.getElementById("conflict");
    fetch("api/save?name=" + encodeURIComponent(data.name) + "&lang=" + encodeURIComponent(data.lang), {
      method: "POST", headers: { "content-type": "application/json", "x-csrf-token": data.csrf }, credentials: "same-origin",
      body: JSON.stringify({ cues: rows(), contributor: document.getElementById("who").value, base: data.revision, prefer: prefer || null })
    }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (res) {
      var ok = res[0] === 200, j = res[1];
      status.dataset.result = JSON.stringify(j);
      if (res[0] === 409 && j.conflicts) { status.textContent = w("error") + ": " + j.error; showConflicts(j.conflicts); return; }
      status.textContent = ok ? (j.unchanged ? w("unchanged") : w(j.merged ? "merged" : "saved", { revision: j.revision })) : w("error") + ": " + j.error;
      if (!ok) return;
      dirty = false; document.getElementById("unsaved").hidden = true;
      document.getElementById("saved-at").textContent = w("saved_at", { revision: j.revision,
        time: new Date().toLocaleTimeString(ui === "nb" ? "nb-NO" : "en-GB", { hour: "2-digit", minute: "2-digit" }) });
      conflict.hidden = true;
      if (j.merged) load(); else data.revision = j.number;  // a merged save shows the other person's edits too
    });
  }
  function showConflicts(found) {  // each cue both people changed: theirs beside mine, then keep one side for all
    var box = document.getElementById("conflict"), ul = document.getElementById("conflict-list");
    ul.textContent = "";
    found.forEach(function (k) {
      var li = document.createElement("li");
      [["theirs", k.theirs], ["yours", k.mine]].forEach(function (side) {
        var p = document.createElement("p"), b = document.createElement("strong");
        b.textContent = w(side[0]) + ": ";
        p.appendChild(b);
        p.appendChild(document.createTextNode(side[1].map(function (c) { return fmt(c[0]) + " " + c[2].replace(/\n/g, " / "); }).join(" | ") || "—"));
        li.appendChild(p);
      });
      ul.appendChild(li);
    });
    box.hidden = false;
    box.querySelector("h2").focus();
  }
  document.getElementById("save").addEventListener("click", function () { save(null); });
  document.getElementById("keep-mine").addEventListener("click", function () { save("mine"); });
  document.getElementById("keep-theirs").addEventListener("click", function () { save("theirs"); });
  function nameVoice(s, to, merge) {  // a name another voice has is refused until the person says they are one (merge)
    var out = document.getElementById("voice-status");
    out.textContent = w("saving");
    fetch("api/speakers/name?name=" + encodeURIComponent(q.get("name")), {
      method: "POST", headers: { "content-type": "application/json", "x-csrf-token": data.csrf }, credentials: "same-origin",
      body: JSON.stringify({ speaker: s.label, to: to, contributor: document.getElementById("who").value, merge: merge })
    }).then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); }).then(function (res) {
      out.dataset.result = JSON.stringify(res[1]);
      if (!res[0]) {
        out.textContent = w("error") + ": " + res[1].error;
        if (res[1].merge) {
          var join = document.createElement("button");
          join.type = "button"; join.id = "same-person"; join.textContent = w("same_person") + ": " + s.label + " + " + to;
          join.addEventListener("click", function () { nameVoice(s, to, true); });
          out.appendChild(document.createTextNode(" ")); out.appendChild(join);
        }
        return;
      }
      out.textContent = s.label + " → " + to + ": " + res[1].languages.length + " " + w("languages");
      setTimeout(function () { location.reload(); }, 800);  // unsaved edits: the browser asks first
    });
  }
  function voices() {  // each voice: speaking time, a sample to play, a name from the programme or typed
    fetch("api/speakers?name=" + encodeURIComponent(q.get("name")), { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (v) {
        if (!v.speakers || v.speakers.length < 1) return;
        var names = document.getElementById("programme-names"), ul = document.getElementById("voice-list"), out = document.getElementById("voice-status");
        v.choices.forEach(function (n) { var o = document.createElement("option"); o.value = n; names.appendChild(o); });
        v.speakers.forEach(function (s, i) {
          var li = document.createElement("li"), head = document.createElement("p"), play = document.createElement("button");
          head.textContent = s.label + " · " + Math.round(s.seconds) + " s · " + s.words + " " + w("words");
          play.type = "button"; play.textContent = w("listen"); play.setAttribute("aria-label", w("listen") + ": " + s.label);
          play.addEventListener("click", function () {
            if (!data || !data.video) return;
            video.currentTime = s.sample[0]; video.play();
            var stop = function () { if (video.currentTime >= s.sample[1]) { video.pause(); video.removeEventListener("timeupdate", stop); } };
            video.addEventListener("timeupdate", stop);
          });
          var label = document.createElement("label"), input = document.createElement("input"), give = document.createElement("button");
          label.textContent = w("voice_name") + " "; label.setAttribute("for", "voice-" + i);
          input.id = "voice-" + i; input.setAttribute("list", "programme-names"); input.value = s.name || "";
          give.type = "button"; give.textContent = w("give_name"); give.setAttribute("aria-label", w("give_name") + ": " + s.label);
          give.addEventListener("click", function () { nameVoice(s, input.value, false); });
          li.appendChild(head); li.appendChild(play); li.appendChild(document.createTextNode(" "));
          label.appendChild(input); li.appendChild(label); li.appendChild(give); ul.appendChild(li);
        });
        document.getElementById("voices").hidden = false;
      });
  }
  function load() {
    return fetch("api/cues?name=" + encodeURIComponent(q.get("name")) + "&lang=" + encodeURIComponent(q.get("lang")), { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (j) {
        var first = data === null;
        data = j; TAGS = new RegExp(j.tags, "g"); list.textContent = ""; render();
        if (first) voices();
      });
  }
  load();
})();
