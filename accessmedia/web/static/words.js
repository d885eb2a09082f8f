// The interface language of the studio and the review editor, shared by both: the one the address asks for
// (?ui=en), else the one chosen before on either page (kept in this browser), else the browser's own (Norwegian for
// nb, nn or no), else English. pageWords(words) -> {ui, t(key, vars), choose(code)}; `words` is a page's part of
// web/static/interface.json, put into the page by the server. A word missing in a language is said in English.
window.pageWords = function (words) {
  "use strict";
  var KEPT = "studio-language";
  function first() {
    var asked = new URLSearchParams(location.search).get("ui"), saved = null;
    if (asked && words[asked]) return asked;
    try { saved = window.localStorage.getItem(KEPT); } catch (e) { saved = null; }
    if (saved && words[saved]) return saved;
    var wanted = navigator.languages || [navigator.language || "en"];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).toLowerCase().split("-")[0];
      if (code === "nb" || code === "nn" || code === "no") return "nb";
      if (words[code]) return code;
    }
    return "en";
  }
  var self = { ui: first() };
  self.t = function (key, vars) {
    var text = (words[self.ui] || {})[key] || words.en[key] || key;
    Object.keys(vars || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(vars[k])); });
    return text;
  };
  self.choose = function (code) {
    self.ui = code;
    try { window.localStorage.setItem(KEPT, code); } catch (e) { /* private mode: this page only */ }
  };
  return self;
};
