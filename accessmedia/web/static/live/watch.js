// The stream with its live captions (DIR/live/master.m3u8): hls.js where the browser has Media Source, Safari natively.
// ?lang=xx picks the subtitle rendition; the playlist may not exist yet when the page opens: tried again every 2 s.
(function () {
  "use strict";
  var video = document.getElementById("video"), want = new URLSearchParams(location.search).get("lang") || "";
  function pick(tracks, index) {
    for (var i = 0; i < tracks.length; i++) if (tracks[i].lang === want) return i;
    return index;
  }
  if (window.Hls && window.Hls.isSupported()) {
    var start = function () {
      var hls = new window.Hls({ renderTextTracksNatively: true, subtitleDisplay: true });
      window.liveHls = hls;
      hls.on(window.Hls.Events.SUBTITLE_TRACKS_UPDATED, function () { hls.subtitleTrack = pick(hls.subtitleTracks, 0); });
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        if (data.fatal) { hls.destroy(); setTimeout(start, 2000); }
      });
      hls.loadSource("hls/master.m3u8");
      hls.attachMedia(video);
      video.play().catch(function () {});
    };
    start();
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = "hls/master.m3u8";
    video.textTracks.addEventListener("addtrack", function () {
      for (var i = 0; i < video.textTracks.length; i++) video.textTracks[i].mode = video.textTracks[i].language === want ? "showing" : "disabled";
    });
  }
})();
