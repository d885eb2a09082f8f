#!/usr/bin/env bash
# Makes samples/konferanse.mp4: a short Norwegian-speech video for demos and tests.
# The speech is synthesised with espeak-ng (Debian package espeak-ng) so the sample
# is ours to ship; the picture is a plain title card. Needs ffmpeg (system, or the
# one in the imageio-ffmpeg wheel).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ffmpeg=${FFMPEG:-$(command -v ffmpeg || python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')}

say() { espeak-ng -v nb -s 140 -p 45 -g 4 -w "$tmp/$1.wav" "$2"; }
say 1 "Velkommen til den nasjonale integreringskonferansen. I dag skal vi snakke om språk, arbeid og fellesskap."
say 2 "Mange deltakere har bedt om teksting og oversettelse. Derfor blir opptaket publisert med undertekster på flere språk."
say 3 "Takk til alle innvandrerrådene og organisasjonene som har kommet hit i dag."

# two seconds of silence between the parts, as between speakers
"$ffmpeg" -hide_banner -loglevel error -y \
  -i "$tmp/1.wav" -i "$tmp/2.wav" -i "$tmp/3.wav" \
  -filter_complex "[0:a]apad=pad_dur=2[a0];[1:a]apad=pad_dur=2[a1];[a0][a1][2:a]concat=n=3:v=0:a=1,aresample=48000[a]" \
  -map "[a]" "$tmp/speech.wav"

"$ffmpeg" -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=0x1d3557:s=640x360:r=25" -i "$tmp/speech.wav" \
  -shortest -c:v libx264 -preset veryslow -crf 35 -tune stillimage -pix_fmt yuv420p \
  -c:a aac -b:a 48k -ac 1 -movflags +faststart \
  -metadata title="Integreringskonferansen (eksempel)" -metadata:s:a:0 language=nor \
  "$here/konferanse.mp4"
echo "wrote $here/konferanse.mp4"
