// The studio's Live step: live captions started and stopped, what they cost (lag, CPU), and the caption page's
// links and QR code for the room. Uses the studio page's helpers (studio.js: window.studio).
(function () {
  "use strict";
  var S = window.studio;
  var t = S.t, el = S.el;
  var live = null;  // the last state of the live captions (api/live)
  var timer = null;
  var drawn = false;

  function $(id) { return document.getElementById(id); }
  function absolute(path) { return window.location.origin + "/" + path; }

  function drawForm(state) {
    // the languages of the event (ticked) among every language; each says if it has no model
    var box = $("live-languages");
    var ticked = {};
    if (drawn) {
      Array.prototype.forEach.call(box.querySelectorAll("input"), function (x) { ticked[x.value] = x.checked; });
    } else {
      ((state.manifest || {}).languages || []).forEach(function (c) { ticked[c] = true; });
    }
    box.textContent = "";
    state.languages.forEach(function (l) {
      var li = el("li");
      var input = el("input", { type: "checkbox", id: "live-lang-" + l.code, value: l.code });
      input.checked = !!ticked[l.code];
      var label = el("label", { for: "live-lang-" + l.code });
      label.appendChild(el("span", { lang: l.code, dir: l.dir }, l.name));
      label.appendChild(document.createTextNode(" (" + l.english + ")"));
      li.appendChild(input);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(label);
      if (l.volunteers) li.appendChild(el("span", { class: "note" }, t("live_no_model")));
      box.appendChild(li);
    });
    var examples = $("live-examples");
    examples.textContent = "";
    var files = state.files.filter(function (f) { return !/^live\//.test(f); });
    [["srt://0.0.0.0:9000?mode=listener", "live_example_srt"], ["rtmp://encoder.example/live/stream", "live_example_rtmp"],
      ["udp://0.0.0.0:5000", "live_example_udp"], ["pulse:default", "live_example_mic"]]
      .concat(files.length ? [[files[0], "live_example_file"]] : []).forEach(function (ex) {
        var li = el("li");
        var use = el("button", { type: "button", class: "link" }, ex[0]);
        use.addEventListener("click", function () { $("live-source").value = ex[0]; $("live-source").focus(); });
        li.appendChild(use);
        li.appendChild(document.createTextNode(" " + t(ex[1])));
        examples.appendChild(li);
      });
    if (!drawn && live && live.source && !$("live-source").value) $("live-source").value = live.source;
    drawn = true;
  }

  function link(list, text, path) {
    var li = el("li");
    li.appendChild(el("a", { href: path, target: "_blank", rel: "noopener" }, text));
    li.appendChild(el("span", { class: "note" }, absolute(path)));
    list.appendChild(li);
  }

  function drawLive() {
    if (!live) return;
    var running = live.status === "running" || live.status === "stopping";
    $("live-start").disabled = running;
    $("live-stop").disabled = live.status !== "running";
    var status = $("live-status");
    var text = t("live_" + (live.status in { running: 1, stopping: 1, ended: 1, failed: 1 } ? live.status : "idle"),
      { source: live.source || "", error: live.error || "" });
    if (live.status === "running" && live.note) text += " " + live.note;
    if (live.status === "ended" && live.recording) text += " " + t("live_recording", { file: live.recording });
    status.textContent = text;
    status.className = "status" + (live.status === "failed" ? " bad" : "");
    var figures = [];
    if (running && live.lag != null) figures.push(t(live.lag >= 4 ? "live_lag_high" : "live_lag", { lag: Math.max(0, live.lag).toFixed(1) }));
    if (running) figures.push(t("live_cpu", { cpu: live.cpu, cores: live.cores }));
    if (live.missing && live.missing.length) figures.push(t("live_missing", { langs: live.missing.join(", ") }));
    $("live-figures").textContent = figures.join(" · ");
    $("live-figures").className = "status" + (running && live.lag >= 4 ? " bad" : "");
    var links = $("live-links");
    links.hidden = !live.name || live.status === "idle";
    $("live-local").hidden = !live.local_only;
    var pages = $("live-pages");
    pages.textContent = "";
    if (links.hidden) return;
    var q = live.query || "";
    link(pages, t("live_page"), "live/" + q);
    (live.languages || []).forEach(function (code) {
      link(pages, t("live_overlay", { lang: code }), "live/overlay" + (q ? q + "&" : "?") + "lang=" + encodeURIComponent(code));
    });
    link(pages, t("live_watch"), "live/watch" + q);
    var qr = $("live-qr");
    qr.alt = t("live_qr_alt");
    if (qr.dataset.for !== live.name + q) {
      qr.src = "api/live/qr?page=captions";
      qr.dataset.for = live.name + q;
    }
  }

  function poll() {
    return S.api("api/live").then(function (x) {
      live = x;
      drawLive();
      clearTimeout(timer);
      if (x.status === "running" || x.status === "stopping") timer = setTimeout(poll, 2000);
      else if (x.status === "ended") S.refresh();  // the recording is now one of the project's
    }).catch(function (e) { S.say(e.message, true); });
  }

  $("live-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var langs = Array.prototype.filter.call(document.querySelectorAll("#live-languages input"), function (x) { return x.checked; })
      .map(function (x) { return x.value; });
    $("live-start").disabled = true;
    S.post("api/live/start", { source: $("live-source").value, name: $("live-name").value, languages: langs,
      public: $("live-public").checked }).then(function () {
      S.say(t("live_started"));
      $("live-qr").dataset.for = "";
      poll();
    }).catch(function (err) { $("live-start").disabled = false; S.say(err.message, true); $("live-source").focus(); });
  });
  $("live-stop").addEventListener("click", function () {
    $("live-stop").disabled = true;
    S.post("api/live/stop").then(poll).catch(function (err) { S.say(err.message, true); });
  });
  var first = true;
  S.onDraw(function (state) {
    drawForm(state);
    drawLive();
    if (first) { first = false; poll(); }
  });
})();
