// Replay page: plays the HLS package, shows captions in the chosen language,
// and a transcript that follows the video. All subtitle text goes through
// textContent, never innerHTML, so a cue with markup shows as text.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("replay-data").textContent);
  var video = document.getElementById("video");
  var captions = document.getElementById("caption-text");
  var menu = document.getElementById("language");
  var list = document.getElementById("transcript-list");
  var panel = document.getElementById("transcript");
  var search = document.getElementById("search");
  var speaker = document.getElementById("speaker");
  var status = document.getElementById("search-status");
  var chapterList = document.getElementById("chapter-list");
  var current = null;
  var shown = -1;
  var chapterShown = -1;
  var ui = "en";  // the interface language

  // The page's own words in the interface language; a word it lacks is English, never a blank.
  function word(key) {
    var own = (data.interface[ui] || {})[key];
    return own || data.interface.en[key] || "";
  }

  function setInterface(code) {
    ui = data.interface[code] ? code : "en";
    document.documentElement.lang = ui;
    document.documentElement.dir = data.rtl.indexOf(ui) >= 0 ? "rtl" : "ltr";
    Array.prototype.forEach.call(document.querySelectorAll("[data-word]"), function (el) {
      el.textContent = word(el.dataset.word);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-word-label]"), function (el) {
      el.setAttribute("aria-label", word(el.dataset.wordLabel));
    });
    if (location.protocol === "file:") showFromDisk();
    filter();
  }

  // The language asked for: ?lang=so or #lang=so, else the browser's preferred languages (no, nb-NO -> nb).
  function asked() {
    var m = /[?&#]lang=([A-Za-z-]+)/.exec(location.search + location.hash);
    var wanted = m ? [m[1]] : (navigator.languages || [navigator.language || ""]);
    return { explicit: !!m, codes: wanted.map(function (tag) {
      var code = String(tag).toLowerCase().split("-")[0];
      return code === "no" ? "nb" : code;
    }) };
  }

  function clock(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(r).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }

  function showFromDisk() {  // the browser will not load the stream from disk: say so, keep the transcript
    var help = document.getElementById("caption-help");
    help.textContent = word("from_disk");
    help.setAttribute("role", "alert");
  }

  function start() {
    if (location.protocol === "file:") return;
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ enableWebVTT: false, enableCEA708Captions: false });
      hls.loadSource(data.hls);
      hls.attachMedia(video);
      window.replayHls = hls;
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = data.hls;
    } else {
      status.textContent = word("unsupported");
    }
  }

  // A list item whose button seeks to `start`: its time, then its text (always set as text).
  function seekItem(start, label) {
    var li = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    var time = document.createElement("time");
    time.textContent = clock(start);
    var text = document.createElement("span");
    text.textContent = label;
    button.appendChild(time);
    button.appendChild(text);
    button.addEventListener("click", function () {
      video.currentTime = start + 0.01;
      update(true);
    });
    li.appendChild(button);
    return li;
  }

  function languageOf(code) {
    for (var i = 0; i < data.languages.length; i++) if (data.languages[i].code === code) return data.languages[i];
    return data.languages[0];
  }

  // The overlay shows captions on the page; the browser's own text track of the
  // chosen language shows them in fullscreen, where the overlay cannot.
  function syncTracks() {
    var full = !!(document.fullscreenElement || document.webkitFullscreenElement || video.webkitDisplayingFullscreen);
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.kind !== "subtitles") continue;  // the chapters track is the list's, not the overlay's
      track.mode = track.language === current.code ? (full ? "showing" : "hidden") : "disabled";
    }
  }

  function render(lang) {
    current = languageOf(lang);
    list.textContent = "";
    panel.setAttribute("lang", current.code);
    panel.setAttribute("dir", current.dir);
    captions.parentNode.setAttribute("lang", current.code);
    captions.parentNode.setAttribute("dir", current.dir);
    current.cues.forEach(function (cue, i) {
      var li = seekItem(cue[0], cue[2].replace(/\n/g, " "));
      li.firstChild.dataset.index = String(i);
      list.appendChild(li);
    });
    shown = -1;
    filter();
    syncTracks();
    update(true);
  }

  function activeIndex(t) {
    var cues = current.cues;
    for (var i = 0; i < cues.length; i++) if (cues[i][0] <= t && t < cues[i][1]) return i;
    return -1;
  }

  // A caption: its plain text, or its styled pieces ([text, "i"/"b"/"u" flags]) each set as text into a span
  // styled by the flags: italics show as italics, and nothing from the file is ever parsed as HTML.
  function showCaption(cue) {
    captions.textContent = "";
    if (!cue) return;
    if (!cue[3]) { captions.textContent = cue[2]; return; }
    cue[3].forEach(function (piece) {
      var span = document.createElement("span");
      span.textContent = piece[0];
      if (piece[1].indexOf("i") >= 0) span.style.fontStyle = "italic";
      if (piece[1].indexOf("b") >= 0) span.style.fontWeight = "bold";
      if (piece[1].indexOf("u") >= 0) span.style.textDecoration = "underline";
      captions.appendChild(span);
    });
  }

  function update(force) {
    updateChapter();
    var i = activeIndex(video.currentTime);
    if (i === shown && !force) return;
    var old = list.querySelector('[aria-current="true"]');
    if (old) old.removeAttribute("aria-current");
    showCaption(i >= 0 ? current.cues[i] : null);
    if (i >= 0) {
      var button = list.querySelector('button[data-index="' + i + '"]');
      if (button) {
        button.setAttribute("aria-current", "true");
        if (!video.paused && document.activeElement !== search) button.scrollIntoView({ block: "nearest" });
      }
    }
    shown = i;
  }

  // Programme items: a list of buttons that seek, the current one marked.
  function renderChapters() {
    (data.chapters || []).forEach(function (chapter, i) {
      var li = seekItem(chapter[0], chapter[2]);
      li.firstChild.dataset.chapter = String(i);
      chapterList.appendChild(li);
    });
  }

  function updateChapter() {
    var chapters = data.chapters || [], t = video.currentTime, i = -1;
    for (var k = 0; k < chapters.length; k++) if (chapters[k][0] <= t) i = k;
    if (i === chapterShown) return;
    var old = chapterList.querySelector('[aria-current="true"]');
    if (old) old.removeAttribute("aria-current");
    var button = chapterList.querySelector('button[data-chapter="' + i + '"]');
    if (button) button.setAttribute("aria-current", "true");
    chapterShown = i;
  }

  // A link to a moment: index.html#t=90 (seconds) or #t=1:30 starts there.
  function startTime() {
    var m = /(?:^#|&)t=(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)/.exec(window.location.hash);
    if (!m) return null;
    var parts = [m[1], m[2], m[3]].filter(function (x) { return x !== undefined; }).map(Number);
    return parts.reduce(function (acc, x) { return acc * 60 + x; }, 0);
  }

  function seekToHash() {
    var t = startTime();
    if (t === null) return;
    if (video.readyState >= 1) {
      video.currentTime = t;
      update(true);
    } else {
      video.addEventListener("loadedmetadata", function once() {
        video.removeEventListener("loadedmetadata", once);
        video.currentTime = t;
        update(true);
      });
    }
  }

  function filter() {
    var q = search.value.trim().toLocaleLowerCase();
    var hits = 0;
    var who = speaker.value;
    Array.prototype.forEach.call(list.children, function (li) {
      var cue = current.cues[Number(li.firstChild.dataset.index)];
      var match = (!q || li.textContent.toLocaleLowerCase().indexOf(q) >= 0) && (!who || (cue[4] || []).indexOf(who) >= 0);
      li.hidden = !match;
      if (match) hits++;
    });
    status.textContent = q || who ? word("found").replace("{n}", hits) : "";
  }

  data.languages.forEach(function (lang) {
    var option = document.createElement("option");
    option.value = lang.code;
    option.textContent = lang.name;
    option.lang = lang.code;
    menu.appendChild(option);
  });
  // The first subtitles: the language asked for (or the browser's first one this page has), else the default.
  var wish = asked();
  var first = data.default;
  for (var w = 0; w < wish.codes.length; w++) {
    if (data.languages.some(function (l) { return l.code === wish.codes[w]; })) { first = wish.codes[w]; break; }
  }
  menu.value = first;
  (data.speakers || []).forEach(function (name) {  // names are text, never markup
    var option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    speaker.appendChild(option);
  });
  speaker.addEventListener("change", filter);
  menu.addEventListener("change", function () {
    render(menu.value);
    setInterface(menu.value);
    note.hidden = true;
  });
  search.addEventListener("input", filter);
  video.addEventListener("timeupdate", function () { update(false); });
  video.addEventListener("seeked", function () { update(true); });
  document.addEventListener("fullscreenchange", syncTracks);
  document.addEventListener("webkitfullscreenchange", syncTracks);
  video.addEventListener("webkitbeginfullscreen", function () { setTimeout(syncTracks, 0); });
  video.addEventListener("webkitendfullscreen", function () { setTimeout(syncTracks, 0); });
  window.addEventListener("hashchange", seekToHash);
  var note = document.getElementById("language-note");
  renderChapters();
  render(first);
  var face = first;  // the page's own words: in the reader's language where the page has it, even without subtitles in it
  for (var f = 0; f < wish.codes.length; f++) {
    if (data.interface[wish.codes[f]]) { face = wish.codes[f]; break; }
  }
  setInterface(face);
  if (wish.explicit && wish.codes[0] !== first) {  // asked for a language this page has no subtitles in (yet)
    var wanted = wish.codes[0];
    note.textContent = word("not_available").replace("{language}", data.names[wanted] || wanted).replace("{shown}", languageOf(first).name);
    note.setAttribute("lang", ui);
    note.hidden = false;
  }
  start();
  seekToHash();
  window.replay = { update: update, language: function () { return current.code; }, interface: function () { return ui; } };
})();
