"""README.txt in every package: what goes where when the recording is published, in Norwegian and in English, with
the package's own file names (YouTube or Vimeo: the upload folder; one's own website: site/ and hls/)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from accessmedia.core import languages
from accessmedia.core.fsutil import write_atomic

NAME = "README.txt"


def write_guide(dist: Path, stem: str, title: str, order: Sequence[str], chapters: bool, social: Sequence[str],
                audio_only: bool) -> Path:
    """DIST/README.txt for the package being built in `dist`."""
    subs_nb = "\n".join(f"       upload/{stem}.{c}.srt   ({languages.native_name(c)})" for c in order)
    subs_en = "\n".join(f"       upload/{stem}.{c}.srt   ({languages.LANGUAGES[c][0] if c in languages.LANGUAGES else c})" for c in order)
    picture_nb = " (bare lyd: videoen viser et stillbilde)" if audio_only else ""
    picture_en = " (sound only: the video shows a still picture)" if audio_only else ""
    nb = [
        f"{title}: slik publiserer du opptaket",
        "",
        "1. YouTube",
        f"   - Last opp videoen upload/{stem}.mp4{picture_nb}.",
        "   - Undertekster: i YouTube Studio, velg videoen, «Undertekster», «Legg til språk», så «Last opp fil» og",
        "     «Med tidsangivelse». Én fil per språk:",
        subs_nb,
    ]
    if chapters:
        nb += ["   - Kapitler: lim inn teksten i upload/chapters.txt nederst i videobeskrivelsen; YouTube lager kapitler av tidene."]
    nb += [
        "2. Vimeo: last opp den samme videoen; under «Distribusjon», «Undertekster», last opp de samme .srt-filene",
        "   (velg språket og «Undertekster» for hver).",
        "3. Eget nettsted: kopier mappene site/ og hls/ til samme mappe på nettstedet og lenk til site/index.html.",
        "   HLS (mappen hls/) er videoen delt i korte biter med undertekstene som egne spor: nettleseren henter",
        "   bitene etter hvert, så en vanlig webserver er nok, uten strømmetjeneste. Siden lar seeren velge språk og",
        "   tekststørrelse, og ?lang=en i adressen åpner den på engelsk.",
    ]
    if social:
        nb += [f"4. Sosiale medier: {', '.join(f'social/{stem}.{c}.mp4' for c in social)} har undertekstene brent inn i bildet."]
    nb += ["", "upload/metadata.json har tittel, varighet og språk, for den som publiserer automatisk.",
           "Maskinoversatte undertekster bør leses gjennom av noen som kan språket før de publiseres."]
    en = [
        f"{title}: how to publish this recording",
        "",
        "1. YouTube",
        f"   - Upload the video upload/{stem}.mp4{picture_en}.",
        "   - Subtitles: in YouTube Studio, choose the video, \"Subtitles\", \"Add language\", then \"Upload file\" and",
        "     \"With timing\". One file per language:",
        subs_en,
    ]
    if chapters:
        en += ["   - Chapters: paste the text of upload/chapters.txt at the end of the description; YouTube makes chapters of the times."]
    en += [
        "2. Vimeo: upload the same video; under \"Distribution\", \"Subtitles\", upload the same .srt files (choose the",
        "   language and \"Subtitles\" for each).",
        "3. Your own website: copy the folders site/ and hls/ into the same folder of the website and link to",
        "   site/index.html. HLS (the hls/ folder) is the video cut into short pieces with the subtitles as tracks of",
        "   their own: the browser fetches the pieces as it plays, so an ordinary web server is enough, no streaming",
        "   service. The page lets viewers choose the language and the text size; ?lang=ar in the address opens it in Arabic.",
    ]
    if social:
        en += [f"4. Social media: {', '.join(f'social/{stem}.{c}.mp4' for c in social)} have the subtitles burned into the picture."]
    en += ["", "upload/metadata.json has the title, length and languages, for whoever publishes automatically.",
           "Machine-translated subtitles should be read through by someone who knows the language before they are published."]
    path = Path(dist) / NAME
    write_atomic(path, "\n".join(["NORSK", "=====", "", *nb, "", "", "ENGLISH", "=======", "", *en, ""]))
    return path
