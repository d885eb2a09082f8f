// The studio's page: every action is a request to the studio's server, which calls the library.
// Text from the project (titles, names, file names, errors) is only ever set as text.
(function () {
  "use strict";
  var csrf = "";
  var state = null;
  var formDrawn = false;
  var CHUNK = 8 * 1024 * 1024;

  // The studio's own words, in Norwegian (bokmål) and English (web/static/interface.json, the file every page's words
  // are in, put into the page by the server); the browser's language picks, the menu changes it.
  var WORDS = JSON.parse(document.getElementById("interface-words").textContent);
  var words = window.pageWords(WORDS), ui = words.ui;  // static/words.js: the choice shared with the review editor
  var t = words.t;
  function applyWords() {
    document.documentElement.lang = ui;
    Array.prototype.forEach.call(document.querySelectorAll("[data-word]"), function (node) { node.textContent = t(node.dataset.word); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-word-label]"), function (node) {
      node.setAttribute("aria-label", t(node.dataset.wordLabel));
    });
    document.getElementById("ui-language").value = ui;
  }

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function say(text, bad) {
    var m = $("message");
    m.textContent = text;
    m.className = "message" + (bad ? " bad" : "");
  }
  function api(path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = options.headers || {};
    if (options.method && options.method !== "GET") {
      options.headers["x-csrf-token"] = csrf;
      if (!options.headers["content-type"]) options.headers["content-type"] = "application/json";
    }
    return fetch(path, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { var e = new Error(data.error || ("the server answered " + r.status)); e.data = data; throw e; }
        return data;
      });
    });
  }
  function post(path, body) { return api(path, { method: "POST", body: JSON.stringify(body || {}) }); }
  // A failure said where it happened, in plain words in the page's language; the server's own words (for whoever
  // helps) behind "Details".
  function problem(node, e) {
    node.textContent = "";
    node.classList.add("bad");
    node.classList.remove("ok");
    var code = e.data && e.data.code;
    if (!code || !WORDS.en["error_" + code]) { node.textContent = e.message; return; }
    node.appendChild(el("span", { class: "plain-error" }, t("error_" + code) + " "));
    var more = el("details", { class: "error-details" });
    more.appendChild(el("summary", {}, t("details")));
    more.appendChild(el("p", {}, e.message));
    node.appendChild(more);
  }

  // -- the steps: one at a time, the one in the address (#event, #run, #review, #publish, #live) ------------------
  // Each is a view of its own with its heading in focus when it is opened, and the steps' links say which is open.
  var STEPS = ["event", "run", "review", "publish", "live"];
  function showStep(id, focus) {
    if (STEPS.indexOf(id) < 0) return;
    STEPS.forEach(function (s) {
      $(s).hidden = s !== id;
      var link = document.querySelector('.steps a[href="#' + s + '"]');
      if (s === id) link.setAttribute("aria-current", "step"); else link.removeAttribute("aria-current");
    });
    if (!focus) return;
    var h = $(id).querySelector("h2");
    h.setAttribute("tabindex", "-1");
    h.focus();
    say("");  // a message about the step left behind does not follow to the next
  }
  window.addEventListener("hashchange", function () { showStep(location.hash.slice(1), true); });
  showStep(STEPS.indexOf(location.hash.slice(1)) >= 0 ? location.hash.slice(1) : "event", false);

  // -- 1. the event ---------------------------------------------------------------------------
  // A draft of the event as the person types (kept in this browser, per project): a reload or a closed tab before
  // Save loses nothing; Save (or Discard) clears it.
  var draft = null;
  function draftKey() { return "studio-draft-" + (state && state.project || ""); }
  function edited() {
    if (!formDrawn) return;
    try { window.localStorage.setItem(draftKey(), JSON.stringify(collect())); } catch (e) { /* private mode: no draft */ }
  }
  function readDraft() {
    try { return JSON.parse(window.localStorage.getItem(draftKey()) || "null"); } catch (e) { return null; }
  }
  function dropDraft() {
    draft = null;
    try { window.localStorage.removeItem(draftKey()); } catch (e) { /* nothing kept */ }
    $("draft-note").hidden = true;
  }
  function source() { return draft || state.manifest; }  // what the form shows: the draft, else the saved event
  document.getElementById("event-form").addEventListener("input", edited);
  document.getElementById("event-form").addEventListener("change", edited);
  document.getElementById("discard-draft").addEventListener("click", function () {
    dropDraft(); formDrawn = false; $("programmes").textContent = ""; drawEvent(); $("title").focus();
  });

  function chosenFiles() {
    return Array.prototype.filter.call(document.querySelectorAll("#files input"), function (x) { return x.checked; })
      .map(function (x) { return x.value; });
  }

  var FIELDS = [["start", "start_col"], ["title", "title_col"], ["speakers", "speakers_col"]];
  function agendaRow(list, item) {
    var n = list.children.length + 1;
    var id = list.dataset.key + "-" + Math.random().toString(36).slice(2, 7);
    var row = el("li", { class: "agenda-row" });
    var values = { start: item.start || (n === 1 ? "0:00" : ""), title: item.title || "", speakers: (item.speakers || []).join(", ") };
    FIELDS.forEach(function (f) {
      var wrap = el("div");
      wrap.appendChild(el("label", { for: id + "-" + f[0], "data-col": f[1] }, t(f[1], { n: n })));
      wrap.appendChild(el("input", { id: id + "-" + f[0], type: "text", "data-field": f[0], value: values[f[0]], autocomplete: "off" }));
      row.appendChild(wrap);
    });
    var remove = el("button", { type: "button", class: "remove-item" }, t("remove_item", { n: n }));
    remove.addEventListener("click", function () {  // the next item (or the add button) takes the focus
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      numberRows(list);
      if (next) next.querySelector("input").focus(); else list.parentNode.querySelector(".add-item").focus();
      edited();
    });
    row.appendChild(remove);
    list.appendChild(row);
  }
  function numberRows(list) {  // the labels say which item they belong to: numbered again after a removal
    Array.prototype.forEach.call(list.children, function (row, k) {
      Array.prototype.forEach.call(row.querySelectorAll("label[data-col]"), function (label) { label.textContent = t(label.dataset.col, { n: k + 1 }); });
      row.querySelector(".remove-item").textContent = t("remove_item", { n: k + 1 });
    });
  }

  function drawProgrammes() {
    var box = $("programmes");
    var known = {};
    Array.prototype.forEach.call(box.querySelectorAll("fieldset"), function (f) { known[f.dataset.file] = f; });
    var saved = {};
    ((source() || {}).recordings || []).forEach(function (r) { saved[r.file] = r; });
    var chosen = chosenFiles();
    box.textContent = "";
    chosen.forEach(function (file, i) {
      if (known[file]) { box.appendChild(known[file]); return; }
      var rec = saved[file] || { title: "", agenda: [] };
      var set = el("fieldset", { "data-file": file });
      var base = file.split("/").pop();  // the recording's title once it has one, else its file name: never a path
      var legend = el("legend", {}, t("programme_of", { file: rec.title || base }));
      set.appendChild(legend);
      var tid = "rec-title-" + i + "-" + Math.random().toString(36).slice(2, 7);
      set.appendChild(el("label", { for: tid }, t("rec_title")));
      var titled = el("input", { id: tid, type: "text", "data-field": "rec-title", value: rec.title || "", autocomplete: "off" });
      titled.addEventListener("input", function () { legend.textContent = t("programme_of", { file: titled.value.trim() || base }); });
      set.appendChild(titled);
      var list = el("ol", { class: "plain agenda" });
      list.dataset.key = tid;
      (rec.agenda.length ? rec.agenda : [{}]).forEach(function (item) { agendaRow(list, item); });
      set.appendChild(list);
      var add = el("button", { type: "button", class: "add-item" }, t("add_item"));
      add.addEventListener("click", function () { agendaRow(list, {}); list.lastChild.querySelector("input").focus(); });
      set.appendChild(add);
      box.appendChild(set);
    });
  }

  // The recordings in the folder, ticked as before (or as the saved manifest has them).
  function drawFiles() {
    var m = source() || { recordings: [] };
    var ticked = formDrawn ? chosenFiles() : (m.recordings || []).map(function (r) { return r.file; });
    var files = $("files");
    files.textContent = "";
    state.files.forEach(function (file, i) {
      var li = el("li");
      var box = el("input", { type: "checkbox", id: "file-" + i, value: file });
      box.checked = ticked.indexOf(file) >= 0;
      box.addEventListener("change", drawProgrammes);
      li.appendChild(box);
      li.appendChild(el("label", { for: "file-" + i }, " " + file));
      files.appendChild(li);
    });
    if (!state.files.length) files.appendChild(el("li", { class: "hint" }, t("no_files")));
  }

  var COMMON = ["en", "ar", "pl", "uk", "fa", "ur", "so", "ti"];  // the languages the conference's participants ask for
  function findLanguage() {
    var q = $("language-search").value.trim().toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll("#languages li, #more-languages-list li"), function (li) {
      li.hidden = q !== "" && li.dataset.find.indexOf(q) < 0;
    });
    if (q) $("more-languages").open = true;
  }
  $("language-search").addEventListener("input", findLanguage);

  function drawEvent() {
    draft = readDraft();
    $("draft-note").hidden = !draft;
    var m = source() || { title: "", languages: [], recordings: [], model: null };
    $("title").value = m.title || "";
    drawFiles();
    // the languages participants of the conference use, those ticked and those with a model first; the rest behind
    // "show more"; the search finds any of them by its own name, its English name or its code
    var langs = $("languages"), others = $("more-languages-list"), rest = 0;
    langs.textContent = ""; others.textContent = "";
    state.languages.forEach(function (l) {
      var li = el("li", { "data-find": [l.name, l.english, l.code].join(" ").toLowerCase() });
      var box = el("input", { type: "checkbox", id: "lang-" + l.code, value: l.code, "aria-describedby": "lang-note-" + l.code });
      box.checked = (m.languages || []).indexOf(l.code) >= 0;
      li.appendChild(box);
      var label = el("label", { for: "lang-" + l.code, lang: l.code, dir: l.dir }, " " + l.name);
      li.appendChild(label);
      var how = l.volunteers ? t("volunteers_note") : l.route + (l.engine ? " — " + l.engine : "");
      var note = el("span", { class: "note", id: "lang-note-" + l.code });
      var brief = l.english + ": " + t(l.volunteers ? "brief_volunteers" : "brief_machine");  // the whole story once ticked
      li.appendChild(note);
      // what installing would bring, shown for the languages ticked (a long list stays short)
      var offers = [];
      if (l.offer) offers.push(offerButton(l.offer, null, t(l.offer.quality === null ? "install_translation_unknown" : "install_translation", offerWords(l.offer))));
      if (l.offer_nc) offers.push(offerNonCommercial(l.code, l.offer_nc));
      function shown() {  // a ticked language that would get only a template is said in orange
        note.textContent = box.checked ? l.english + ": " + how : brief;
        offers.forEach(function (o) { o.hidden = !box.checked; });
        note.classList.toggle("warn", box.checked && l.volunteers);
      }
      offers.forEach(function (o) { li.appendChild(o); });
      shown();
      box.addEventListener("change", shown);
      if (COMMON.indexOf(l.code) >= 0 || box.checked || !l.volunteers) langs.appendChild(li);
      else { others.appendChild(li); rest += 1; }
    });
    $("more-languages").hidden = !rest;
    $("more-languages-summary").textContent = t("more_languages", { n: rest });
    // the speech models: those installed, the one chosen and the recommended one first; the rest behind "show more"
    var list = $("models");
    list.textContent = "";
    var more = el("ul", { class: "plain" }), hidden = 0;
    state.models.forEach(function (mod, i) {
      var li = el("li");
      var radio = el("input", { type: "radio", name: "model", id: "model-" + i, value: mod.name, "aria-describedby": "model-note-" + i });
      radio.checked = m.model ? m.model === mod.name : mod.default;
      li.appendChild(radio);
      li.appendChild(el("label", { for: "model-" + i }, " " + mod.name + (mod.installed ? "" : t("not_installed"))));
      if (mod.recommended) li.appendChild(el("span", { class: "badge" }, t("recommended")));
      var said = t("model_" + mod.name);
      li.appendChild(el("span", { class: "note", id: "model-note-" + i }, said === "model_" + mod.name ? mod.description : said));
      if (!mod.installed) {
        var button = el("button", { type: "button" }, t("install", { name: mod.name }));
        var told = el("span", { class: "note", role: "status" });  // said beside the button, not at the top of the page
        button.addEventListener("click", function () {
          told.textContent = t("installing", { name: mod.name }); told.className = "note";
          post("api/models/install", { name: mod.name }).then(function () { say(t("installed", { name: mod.name })); refresh(); })
            .catch(function (e) { problem(told, e); });
        });
        li.appendChild(button);
        li.appendChild(told);
      }
      if (mod.installed || mod.recommended || radio.checked) list.appendChild(li);
      else { more.appendChild(li); hidden += 1; }
    });
    if (hidden) {
      var details = el("details", { class: "more-models" }), li = el("li");
      details.appendChild(el("summary", {}, t("more_models", { n: hidden })));
      details.appendChild(more);
      li.appendChild(details);
      list.appendChild(li);
    }
    drawProgrammes();
    formDrawn = true;
  }

  function offerWords(offer) {
    return { models: offer.install.join(", "), size: Math.round(offer.size_mb).toLocaleString(), licences: offer.licences.join("; "),
             quality: offer.quality === null ? "" : offer.quality.toFixed(3),
             licence: offer.licences.filter(function (x) { return /NC/.test(x); }).join(", ") };
  }

  // A language's translation models installed from the studio: the best open route, one click; the models are
  // downloaded, checked against the catalogue and converted on the server, then the list is drawn again.
  function offerButton(offer, licence, label) {
    var button = el("button", { type: "button", class: "offer" }, label);
    button.addEventListener("click", function () {
      var words = offerWords(offer);
      button.disabled = true;
      told.textContent = t("installing_translation", words); told.className = "note";
      post("api/models/install-for", { languages: [offer.language], accept_licence: licence })
        .then(function () { say(t("installed_translation", words)); refresh(); })
        .catch(function (e) { button.disabled = false; problem(told, e); });
    });
    var told = el("span", { class: "note", role: "status" }), box = el("div");  // what the install did, beside it
    box.appendChild(button); box.appendChild(told);
    return box;
  }

  // The better non-commercial route: its licence named, to be accepted by ticking before the button works.
  function offerNonCommercial(code, offer) {
    var words = offerWords(offer);
    var box = el("details", { class: "offer-nc" });  // a choice with a licence to read: opened by who wants it
    box.appendChild(el("summary", {}, t("better_nc")));
    var accept = el("input", { type: "checkbox", id: "accept-nc-" + code });
    box.appendChild(accept);
    box.appendChild(el("label", { for: "accept-nc-" + code }, " " + t("accept_nc", words)));
    var holder = offerButton(offer, words.licence, t("install_nc", words)), button = holder.querySelector("button");
    button.disabled = true;
    accept.addEventListener("change", function () { button.disabled = !accept.checked; });
    box.appendChild(holder);
    return box;
  }

  // An error in a field is said next to it, in the page's language: the field marked invalid and described by
  // the message, and focus moved there (not a line at the top of the page, thousands of pixels away).
  function markField(data) {
    var f = data.field;
    var set = $("programmes").querySelectorAll("fieldset")[f.recording];
    var row = set && set.querySelectorAll(".agenda-row")[f.row];
    var input = row && row.querySelector('[data-field="' + f.key + '"]');
    if (!input) { say(data.error, true); return; }
    var id = input.id + "-error";
    var message = el("span", { class: "field-error", id: id }, t(data.code, { value: data.value || "" }));
    (input.closest(".agenda-row") || input.parentNode).appendChild(message);  // across the row, under the field
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.focus();
    say(t("fix_marked"), true);
  }

  function clearFieldErrors() {
    Array.prototype.forEach.call(document.querySelectorAll(".field-error"), function (x) { x.remove(); });
    Array.prototype.forEach.call(document.querySelectorAll("[aria-invalid]"), function (x) {
      x.removeAttribute("aria-invalid");
      x.removeAttribute("aria-describedby");
    });
  }

  function collect() {
    var recordings = Array.prototype.map.call($("programmes").querySelectorAll("fieldset"), function (set) {
      return {
        file: set.dataset.file,
        title: set.querySelector('[data-field="rec-title"]').value,
        agenda: Array.prototype.map.call(set.querySelectorAll(".agenda-row"), function (row, n) {
          function v(f) { return row.querySelector('[data-field="' + f + '"]').value.trim(); }
          return { start: v("start"), title: v("title"), row: n,
                   speakers: v("speakers").split(",").map(function (s) { return s.trim(); }).filter(Boolean) };
        }).filter(function (a) { return a.title; })
      };
    });
    var model = document.querySelector('input[name="model"]:checked');
    return {
      title: $("title").value, recordings: recordings, model: model ? model.value : null,
      languages: Array.prototype.filter.call(document.querySelectorAll("#languages input"), function (x) { return x.checked; })
        .map(function (x) { return x.value; })
    };
  }

  $("event-form").addEventListener("submit", function (e) {
    e.preventDefault();
    say(t("saving"));
    clearFieldErrors();
    post("api/event", collect()).then(function (r) {
      say(t("saved", { n: r.recordings }));
      dropDraft();
      $("next-run").hidden = false;
      refresh();
    }).catch(function (err) {
      if (err.data && err.data.field) markField(err.data); else say(err.message, true);
    });
  });

  // Uploads: in chunks; after a break the server says how much arrived and the upload goes on from there.
  function upload(file) {
    var li = el("li");
    var id = "up-" + Math.random().toString(36).slice(2, 8);
    li.appendChild(el("label", { for: id }, file.name + " "));
    var bar = el("progress", { id: id, max: String(file.size || 1), value: "0" });
    li.appendChild(bar);
    var note = el("span", { class: "note", role: "status" });
    li.appendChild(note);
    $("uploads").appendChild(li);
    var q = "api/upload?name=" + encodeURIComponent(file.name);
    function send(offset) {
      var end = Math.min(offset + CHUNK, file.size);
      var last = end >= file.size;
      return api(q + "&offset=" + offset + "&size=" + file.size + (last ? "&final=1" : ""), {
        method: "POST", body: file.slice(offset, end), headers: { "content-type": "application/octet-stream" }
      }).then(function (r) {
        bar.value = r.received;
        if (!last) return send(r.received);
        return r;
      });
    }
    return api(q).then(function (r) { return send(r.received); }).then(function (r) {
      note.textContent = t("uploaded");
      note.className = "note ok";
      return r;
    }).catch(function (err) {
      note.className = "note";
      problem(note, err);
      throw err;
    });
  }

  $("upload").addEventListener("change", function () {
    var files = Array.prototype.slice.call($("upload").files);
    var chain = Promise.resolve();
    var added = [];
    files.forEach(function (f) {
      chain = chain.then(function () { return upload(f).then(function (r) { added.push(r.file); }).catch(function () {}); });
    });
    chain.then(function () {
      return refresh().then(function () {
        added.forEach(function (file) {
          var box = document.querySelector('#files input[value="' + CSS.escape(file) + '"]');
          if (box) box.checked = true;
        });
        drawProgrammes();
        edited();  // the ticks are part of the draft
        if (added.length) say(t("uploads_done", { n: added.length }));
      });
    });
  });

  // -- 2. the run ------------------------------------------------------------------------------
  function clock(s) { s = Math.round(s); return t("minutes", { m: Math.floor(s / 60), s: s % 60 }); }
  function drawRun(run) {
    var body = $("progress");
    body.textContent = "";
    run.recordings.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, r.title));
      tr.appendChild(el("td", {}, r.done === r.stages ? t("finished_stage") : r.stage ? t("stage_" + r.stage) : t("waiting")));
      var td = el("td");
      var bar = el("progress", { max: String(r.stages), value: String(r.done), "aria-label": t("stages_label", { title: r.title, done: r.done, total: r.stages }) });
      td.appendChild(bar);
      td.appendChild(document.createTextNode(" " + r.done + " / " + r.stages));
      tr.appendChild(td);
      body.appendChild(tr);
    });
    var left = steady(run);
    var text = {
      idle: t("not_started"),
      running: t("running", { pct: Math.round(run.done * 100), left: left != null ? t("left", { time: clock(left) }) : "",
                             resumed: run.resumed ? t("resumed") : "" }),
      done: t("done"),
      failed: t("failed", { error: run.error || "see the run report" })
    }[run.status] || run.status;
    $("run-status").textContent = text;
    $("run-status").className = "status" + (run.status === "failed" ? " bad" : run.status === "done" ? " ok" : "");
    $("report-link").hidden = !(state && state.report);
    $("next-review").hidden = run.status !== "done";
    if (run.status !== "running" && $("message").textContent === t("started")) say("");  // said while it ran, not after
  }

  // The time left as the server estimates it, counted down between its estimates and moved only part of the way
  // towards a new one, rounded: a number that jumps (1:22, 2:25, 0:18) tells the person nothing.
  var estimate = null;
  function steady(run) {
    if (run.status !== "running" || run.seconds_left == null) { estimate = null; return null; }
    var now = Date.now() / 1000;
    if (estimate === null) estimate = { left: run.seconds_left, at: now };
    else {
      var counted = Math.max(0, estimate.left - (now - estimate.at));
      estimate = { left: counted + 0.3 * (run.seconds_left - counted), at: now };
    }
    var left = estimate.left;
    return left > 120 ? Math.round(left / 60) * 60 : Math.max(10, Math.round(left / 10) * 10);
  }

  function watch() {
    var source = new EventSource("api/progress");
    source.onmessage = function (e) {
      var run = JSON.parse(e.data);
      drawRun(run);
      if (run.status !== "running") { source.close(); refresh(); }
    };
    source.onerror = function () { source.close(); setTimeout(function () { refresh().then(function () { if (state.run.status === "running") watch(); }); }, 2000); };
  }

  $("start").addEventListener("click", function () {
    say(t("starting"));
    post("api/run").then(function () { say(t("started")); watch(); }).catch(function (e) { say(e.message, true); });
  });

  // -- 3. review and correct ---------------------------------------------------------------------
  function drawSessions() {
    var box = $("sessions");
    box.textContent = "";
    $("next-publish").hidden = !state.sessions.length;
    if (!state.sessions.length) { box.appendChild(el("p", { class: "hint" }, t("nothing_review"))); return; }
    state.sessions.forEach(function (s) {
      var div = el("div", { class: "session" });
      div.appendChild(el("h3", {}, s.title && s.title !== s.name ? s.title + " (" + s.name + ")" : s.name));
      var ul = el("ul", { class: "plain" });
      s.languages.forEach(function (code) {
        var li = el("li");
        var q = "?name=" + encodeURIComponent(s.name) + "&lang=" + encodeURIComponent(code);
        li.appendChild(el("a", { href: "review/" + encodeURIComponent(s.name) + "/edit" + q }, t("correct", { code: code })));
        li.appendChild(document.createTextNode(" · "));
        var hist = el("button", { type: "button", "aria-expanded": "false" }, t("history", { code: code }));
        var list = el("ol", { class: "plain history" });
        var told = el("p", { role: "status", class: "restore-status", tabindex: "-1" });  // what a restore did, next to where it was done
        hist.addEventListener("click", function () { showHistory(s, code, q, list, told, hist); });
        li.appendChild(hist);
        if (code !== "nb") kitLinks(li, s, code, q);
        li.appendChild(list);
        li.appendChild(told);
        ul.appendChild(li);
      });
      s.volunteers.forEach(function (code) {  // no machine translation: a kit for volunteers, and the way back
        var known = state.languages.filter(function (l) { return l.code === code; })[0] || { name: code, dir: "ltr" };
        var li = el("li");
        li.appendChild(el("span", { lang: code, dir: known.dir }, known.name));
        li.appendChild(document.createTextNode(t("volunteers_translate")));
        kitLinks(li, s, code, "?name=" + encodeURIComponent(s.name) + "&lang=" + encodeURIComponent(code));
        ul.appendChild(li);
      });
      div.appendChild(ul);
      box.appendChild(div);
    });
  }

  // The history of one language: local times in the page's language, the current revision marked, and a restore
  // that first shows what it would change (and the speakers' names it gives back), confirmed next to the control.
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(ui === "nb" ? "nb-NO" : "en-GB", { dateStyle: "medium", timeStyle: "short" }).format(d);
  }
  function describe(rev) {
    if (rev.machine) return t("machine_version");
    var m = /^restored (r\d{4})$/.exec(rev.note || "");
    if (m) return rev.contributor + " (" + t("restored_from", { label: m[1] }) + ")";
    if (/^(named|merged) /.test(rev.note || "")) return rev.contributor + " (" + t("named_note") + ")";
    return rev.contributor + (rev.note ? " (" + rev.note + ")" : "");
  }
  function showHistory(s, code, q, list, told, button) {
    api("api/history" + q).then(function (r) {
      list.textContent = "";
      button.setAttribute("aria-expanded", "true");
      r.revisions.slice().reverse().forEach(function (rev) {  // the newest first
        var item = el("li", rev.current ? { "aria-current": "true", class: "current" } : {});
        item.appendChild(el("strong", {}, rev.label));
        item.appendChild(document.createTextNode(" " + when(rev.when) + " · " + describe(rev) + " "));
        if (rev.current) { item.appendChild(el("span", { class: "badge" }, t("current_revision"))); list.appendChild(item); return; }
        var look = el("button", { type: "button" }, t("preview_restore", { label: rev.label }));
        look.addEventListener("click", function () { preview(s, code, q, rev, item, list, told, button); });
        item.appendChild(look);
        list.appendChild(item);
      });
    }).catch(function (e) { told.textContent = e.message; told.className = "restore-status bad"; });
  }
  function preview(s, code, q, rev, item, list, told, button) {
    api("api/restore-preview" + q + "&number=" + rev.number).then(function (r) {
      var old = item.querySelector(".diff");
      if (old) old.remove();
      var box = el("div", { class: "diff", role: "group", "aria-label": t("diff_title", { label: rev.label }) });
      box.appendChild(el("p", { class: "diff-title" }, t("diff_title", { label: rev.label })));
      if (!r.changes.length) box.appendChild(el("p", {}, t("diff_none")));
      var dl = el("ul", { class: "plain" });
      r.changes.forEach(function (c) {
        var li = el("li");
        if (c[0]) { li.appendChild(el("del", {}, t("diff_removed") + ": " + c[0])); }
        if (c[0] && c[1]) li.appendChild(el("br"));
        if (c[1]) { li.appendChild(el("ins", {}, t("diff_added") + ": " + c[1])); }
        dl.appendChild(li);
      });
      box.appendChild(dl);
      var names = Object.keys(r.names || {});
      if (names.length) box.appendChild(el("p", {}, t("names_back", { names: names.map(function (k) { return k + " → " + r.names[k]; }).join(", ") })));
      var yes = el("button", { type: "button", class: "primary" }, t("confirm_restore", { label: rev.label }));
      var no = el("button", { type: "button" }, t("cancel"));
      no.addEventListener("click", function () { box.remove(); });
      yes.addEventListener("click", function () {
        post("api/restore", { name: s.name, lang: code, number: rev.number }).then(function (x) {
          told.className = "restore-status";
          told.textContent = t("restored", { code: code, label: rev.label, new: x.revision }) +
            (Object.keys(x.names || {}).length ? " " + t("names_back", { names: Object.keys(x.names).map(function (k) { return k + " → " + x.names[k]; }).join(", ") }) : "");
          showHistory(s, code, q, list, told, button);
          told.focus();
        }).catch(function (e) { told.textContent = e.message; told.className = "restore-status bad"; });
      });
      box.appendChild(yes); box.appendChild(document.createTextNode(" ")); box.appendChild(no);
      item.appendChild(box);
      yes.focus();
    }).catch(function (e) { told.textContent = e.message; told.className = "restore-status bad"; });
  }

  // A translation kit to download (CSV: the Norwegian and English text, a column to fill in) and a file input to bring it back.
  function kitLinks(li, s, code, q) {
    li.appendChild(document.createTextNode(" · "));
    li.appendChild(el("a", { href: "api/kit" + q + "&format=csv" }, t("kit", { code: code })));
    var kid = "kit-" + s.name + "-" + code;
    li.appendChild(el("label", { for: kid, class: "inline" }, t("kit_back", { code: code })));
    var input = el("input", { id: kid, type: "file", accept: ".csv,.srt" });
    input.addEventListener("change", function () {
      var f = input.files[0];
      if (!f) return;
      var fmt = /\.srt$/i.test(f.name) ? "srt" : "csv";
      api("api/kit" + q + "&format=" + fmt, { method: "POST", body: f, headers: { "content-type": "application/octet-stream" } })
        .then(function (x) { say(t("kit_in", { code: code, rev: x.revision })); refresh(); })
        .catch(function (e) {  // said beside the kit's input, in the page's language, the server's words behind Details
          problem(told, e);
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", told.id);
          input.focus();
        });
    });
    var told = el("p", { class: "note", id: kid + "-status", role: "status" });
    li.appendChild(input);
    li.appendChild(told);
  }

  // -- 4. publish --------------------------------------------------------------------------------
  function drawPublish() {
    var body = $("checklist");
    body.textContent = "";
    state.checklist.forEach(function (c) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, c.title));
      var templates = !c.languages_ok && c.volunteers.length > 0;  // orange: a template is not a translation
      tr.appendChild(el("td", { class: c.languages_ok ? "ok" : templates ? "warn" : "bad" },
        c.languages_ok ? t("all_present") : templates ? t("only_templates", { list: c.volunteers.join(", ") }) : t("missing_langs")));
      var rules = Object.keys(c.conformance).map(function (k) { return k + " " + Math.round(c.conformance[k] * 100) + "%"; }).join(", ");
      tr.appendChild(el("td", { class: c.conformance_ok ? "ok" : "bad" }, rules || "–"));
      tr.appendChild(el("td", {}, c.low_confidence == null ? "–" : Math.round(c.low_confidence * 100) + "%"));
      tr.appendChild(el("td", { class: c.unnamed_speakers.length ? "bad" : "ok" },
        c.unnamed_speakers.length ? t("not_named", { list: c.unnamed_speakers.join(", ") }) : t("named")));
      body.appendChild(tr);
    });
    if (!state.checklist.length) body.appendChild(el("tr", {}, "")).appendChild(el("td", { colspan: "5" }, t("run_first")));
    var links = $("published");
    links.textContent = "";
    if (state.site) links.appendChild(el("li")).appendChild(el("a", { href: "out/index.html" }, t("event_site")));
    state.sessions.forEach(function (s) {
      if (!s.replay) return;
      var li = el("li");
      li.appendChild(el("a", { href: "out/" + encodeURIComponent(s.name) + "/dist/site/index.html" }, t("replay_of", { name: s.name })));
      li.appendChild(document.createTextNode(" · "));
      li.appendChild(el("a", { href: "api/archive?name=" + encodeURIComponent(s.name) }, t("zip_of", { name: s.name })));
      li.appendChild(publishGuide(s));
      links.appendChild(li);
    });
  }

  // What goes where, with each file one click away: the video and subtitles for YouTube or Vimeo, the zip's
  // site/ and hls/ for one's own website (the same guide is README.txt in the package).
  function publishGuide(s) {
    var box = el("details", { class: "guide" });
    box.appendChild(el("summary", {}, t("guide_title", { name: s.name })));
    ["guide_youtube", "guide_site", "guide_check"].forEach(function (k) { box.appendChild(el("p", {}, t(k))); });
    var list = el("ul", { class: "plain downloads" });
    (s.downloads || []).forEach(function (path) {
      var file = path.split("/").pop(), m = file.match(/\.([a-z]{2,3})\.srt$/);
      var label = /\.mp4$/.test(file) ? t("dl_video") : m ? t("dl_subs", { lang: m[1] }) : file === "chapters.txt" ? t("dl_chapters") : t("dl_readme");
      var a = el("a", { href: "out/" + encodeURIComponent(s.name) + "/" + path, download: file }, label);
      list.appendChild(el("li")).appendChild(a);
      a.insertAdjacentText("afterend", " · " + file);
    });
    box.appendChild(list);
    return box;
  }

  function refresh() {
    return api("api/state").then(function (s) {
      state = s;
      csrf = s.csrf;
      var problem = $("manifest-problem");
      problem.hidden = !s.manifest_problem;
      problem.textContent = s.manifest_problem ? t("manifest_problem", { p: s.manifest_problem }) : "";
      if (!formDrawn) drawEvent(); else drawFiles();
      drawRun(s.run);
      drawSessions();
      drawPublish();
      hooks.forEach(function (f) { f(s); });
      return s;
    }).catch(function (e) { say(e.message, true); });
  }
  var hooks = [];  // other parts of the page (the Live step, live.js) drawn with the state

  document.getElementById("ui-language").addEventListener("change", function (e) {
    words.choose(e.target.value);
    ui = words.ui;
    applyWords();
    if (!state) return;
    var typed = collect();  // the form drawn again in the new words, with what was typed in it
    state.manifest = typed;
    $("programmes").textContent = "";
    formDrawn = false;
    drawEvent();
    drawRun(state.run);
    drawSessions();
    drawPublish();
    hooks.forEach(function (f) { f(state); });
  });
  applyWords();
  refresh().then(function (s) { if (s && s.run.status === "running") watch(); });
  window.studio = { refresh: refresh, state: function () { return state; }, t: t, el: el, api: api, post: post, say: say,
    onDraw: function (f) { hooks.push(f); if (state) f(state); } };
})();
