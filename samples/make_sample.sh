#!/usr/bin/env bash
# Makes the sample recordings: short Norwegian-speech videos for demos, tests and benchmarks.
#   konferanse.mp4   the opening of the conference (used alone by README's first command)
#   panel.mp4        a panel: two voices, language and work
#   avslutning.mp4   the closing words
# samples/event.toml processes all three as one event.
# The speech is synthesised with espeak-ng (Debian package espeak-ng) so the samples
# are ours to ship; the picture is a plain title card. Needs ffmpeg (system, or the
# one in the imageio-ffmpeg wheel). Usage: make_sample.sh [konferanse|panel|avslutning ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ffmpeg=${FFMPEG:-$(command -v ffmpeg || python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')}

# say NAME PITCH TEXT [VOICE]: one utterance as NAME.wav; VOICE (default nb) is an espeak-ng voice and
# variant: the panel's second speaker is nb+f3, a voice a speaker model tells apart from the first
say() { espeak-ng -v "${4:-nb}" -s 140 -p "$2" -g 4 -w "$tmp/$1.wav" "$3"; }

# recording OUT COLOUR TITLE PART...: the parts with two seconds of silence between them, over a title card
recording() {
  local out=$1 colour=$2 title=$3; shift 3
  local inputs=() filter="" labels="" n=0
  for part in "$@"; do
    inputs+=(-i "$tmp/$part.wav")
    if [ $((n + 1)) -lt $# ]; then filter+="[$n:a]apad=pad_dur=2[a$n];"; else filter+="[$n:a]anull[a$n];"; fi
    labels+="[a$n]"; n=$((n + 1))
  done
  "$ffmpeg" -hide_banner -loglevel error -y "${inputs[@]}" \
    -filter_complex "${filter}${labels}concat=n=$n:v=0:a=1,aresample=48000[a]" -map "[a]" "$tmp/speech.wav"
  "$ffmpeg" -hide_banner -loglevel error -y \
    -f lavfi -i "color=c=$colour:s=640x360:r=25" -i "$tmp/speech.wav" \
    -shortest -c:v libx264 -preset veryslow -crf 35 -tune stillimage -pix_fmt yuv420p \
    -c:a aac -b:a 48k -ac 1 -movflags +faststart \
    -metadata title="$title" -metadata:s:a:0 language=nor \
    "$here/$out"
  echo "wrote $here/$out"
}

konferanse() {
  say k1 45 "Velkommen til den nasjonale integreringskonferansen. I dag skal vi snakke om språk, arbeid og fellesskap."
  say k2 45 "Mange deltakere har bedt om teksting og oversettelse. Derfor blir opptaket publisert med undertekster på flere språk."
  say k3 45 "Takk til alle innvandrerrådene og organisasjonene som har kommet hit i dag."
  recording konferanse.mp4 0x1d3557 "Integreringskonferansen (eksempel)" k1 k2 k3
}

panel() {
  say p1 45 "Velkommen til panelsamtalen om språk og arbeid. Hva er viktigst for å få den første jobben i Norge?"
  say p2 50 "Språket er viktig, men nettverk betyr også mye. Mange får jobb gjennom noen de kjenner." nb+f3
  say p3 45 "Hvordan kan arbeidsgivere gjøre det lettere for nyankomne?"
  say p4 50 "De kan tilby språkpraksis og mentorer. Det gir trygghet både for den nye og for kollegene." nb+f3
  say p5 45 "Hva betyr det at informasjon fra kommunen kommer på flere språk?"
  say p6 50 "Det betyr mye. Når informasjonen er på et språk man forstår, kan man delta i samfunnet og ta gode valg for familien." nb+f3
  say p7 45 "Hva ønsker dere dere av neste års konferanse?"
  say p8 50 "Flere stemmer fra innvandrerrådene, og at alle foredrag blir tekstet og oversatt. Takk for samtalen." nb+f3
  recording panel.mp4 0x264653 "Panelsamtale: språk og arbeid (eksempel)" p1 p2 p3 p4 p5 p6 p7 p8
}

avslutning() {
  say a1 45 "Nå er vi ved slutten av konferansen. Takk for alle gode innspill i dag."
  say a2 45 "Opptakene blir lagt ut med undertekster og oversettelser, slik at de som ikke kunne komme også kan følge med."
  say a3 45 "En stor takk til tolkene, til de frivillige og til alle som har holdt innlegg. Vi ses neste år."
  recording avslutning.mp4 0x6a040f "Avslutning (eksempel)" a1 a2 a3
}

for name in "${@:-konferanse panel avslutning}"; do
  for one in $name; do "$one"; done
done
