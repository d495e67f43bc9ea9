#!/usr/bin/env bash
# Generates the default Mandarin clip pack for spoken calls (docs/voice.md) into
# assets/voice/cmn/ (or the folder given as $1): one WAV per clip, 22.05 kHz 16-bit mono PCM,
# leading and trailing silence trimmed, each clip peak-normalised to -1 dBFS, plus a chime
# synthesised with sox.
#
# Speech comes from espeak-ng's `cmn-latn-pinyin` voice, fed tone-numbered pinyin: Debian 12's
# default `cmn` voice reads latin text as English (espeak-ng#1236), and pinyin rather than hanzi
# pins the readings espeak-ng would otherwise guess (重呼 is chóng hū, not zhòng hū) and gives
# the letters their Mandarin names (Z is zèi, not the pinyin syllable zi).
#
# Idempotent: the same espeak-ng and sox produce the same bytes (no dither, no comment chunk),
# so re-running it leaves the committed pack unchanged. Needs: espeak-ng, sox.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/assets/voice/cmn}
RATE=22050
# Words per minute; espeak-ng's default (175) clips the syllables of a single call too short
# for a hall's loudspeaker, 150 keeps a whole call within about 3.5 s.
SPEED=150

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-voice-pack: $tool is not installed (apt-get install espeak-ng sox)" >&2; exit 1; }
done
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# sox options shared by every write: 16-bit mono at the pack's rate, no dither (-D) so the
# output is deterministic, no comment chunk.
fmt=(-D -b 16 -c 1 -r "$RATE" --comment "")

# clip name → tone-numbered pinyin (the clip names are the file names the voice crate loads).
clips=(
  "qing|qing3"
  "hao|hao4"
  "dao|dao4"
  "hao-chuangkou-banli|hao4 chuang1 kou3 ban4 li3"
  "chonghu|chong2 hu1"
  "shi|shi2"
  "bai|bai3"
  "qian|qian1"
  "gang|gang4"
  "digit-0|ling2" "digit-1|yi1" "digit-2|er4" "digit-3|san1" "digit-4|si4"
  "digit-5|wu3" "digit-6|liu4" "digit-7|qi1" "digit-8|ba1" "digit-9|jiu3"
  # The letters as Mandarin speakers name them.
  "letter-A|ei1" "letter-B|bi4" "letter-C|xi1" "letter-D|di4" "letter-E|yi4" "letter-F|ai2fu"
  "letter-G|ji4" "letter-H|ai1qi1" "letter-I|ai4" "letter-J|jie4" "letter-K|kai4" "letter-L|ai2le"
  "letter-M|ai2mu" "letter-N|en1" "letter-O|ou1" "letter-P|pi1" "letter-Q|kiu1" "letter-R|a4er"
  "letter-S|ai2si" "letter-T|ti4" "letter-U|you1" "letter-V|wei1" "letter-W|da2bu liu"
  "letter-X|ai2ke si" "letter-Y|wai1" "letter-Z|zei4"
)

for entry in "${clips[@]}"; do
  name=${entry%%|*}
  text=${entry#*|}
  # A syllable the voice does not know as pinyin falls back to English, marked `(en)` in the
  # phoneme listing: refuse it rather than ship an English-sounding clip.
  if espeak-ng -v cmn-latn-pinyin -q -x "$text" | grep -q '(en)'; then
    echo "make-voice-pack: espeak-ng reads '$text' ($name) as English" >&2
    exit 1
  fi
  espeak-ng -v cmn-latn-pinyin -s "$SPEED" -w "$work/raw.wav" "$text"
  # silence 1 …: drop the leading silence; reverse, drop again, reverse back: the trailing one.
  # 0.3% of full scale is below espeak-ng's quietest consonants but above its zero padding.
  sox "$work/raw.wav" "${fmt[@]}" "$OUT/$name.wav" \
    silence 1 0.005 0.3% reverse silence 1 0.005 0.3% reverse gain -n -1
done

# The chime: a two-tone "ding-dong" (E5 then C5) with a soft attack and an exponential-looking
# decay, a quiet octave partial for a bell-like colour.
sox -n "${fmt[@]}" "$work/ding.wav" synth 0.3 sine 659.25 sine 1318.5 remix 1v0.8,2v0.2 fade q 0.01 0.3 0.22
sox -n "${fmt[@]}" "$work/dong.wav" synth 0.5 sine 523.25 sine 1046.5 remix 1v0.8,2v0.2 fade q 0.01 0.5 0.42
sox "$work/ding.wav" "$work/dong.wav" "${fmt[@]}" "$OUT/chime.wav" gain -n -3

echo "make-voice-pack: wrote ${#clips[@]} spoken clips and the chime to $OUT" >&2
