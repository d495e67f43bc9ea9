//! A hall's own pack folder: complete, it replaces the built-in one; a missing, foreign-format,
//! mismatched or silent clip is refused naming the file.

use std::path::Path;

use hallkeeper_voice::{wav, Call, Clip, Pack, Wav};

fn tone(rate: u32, ms: u32) -> Wav {
    let n = (rate * ms / 1000) as usize;
    let samples = (0..n).map(|i| ((i as f64 * 0.2).sin() * 8000.0) as i16).collect();
    Wav { sample_rate: rate, samples }
}

fn write_pack(dir: &Path, rate: u32) {
    for clip in Clip::all() {
        std::fs::write(dir.join(clip.file_name()), wav::write(&tone(rate, 200))).unwrap();
    }
}

#[test]
fn a_complete_folder_replaces_the_built_in_pack() {
    let dir = tempfile::tempdir().unwrap();
    write_pack(dir.path(), 16000);
    std::fs::write(dir.path().join("README.txt"), "recorded 2026-12-01").unwrap();
    let pack = Pack::from_dir(dir.path()).unwrap();
    assert_eq!(pack.sample_rate(), 16000);
    let out = wav::parse(&pack.announce(&Call::new("A012", "3")).unwrap(), "out").unwrap();
    assert_eq!(out.sample_rate, 16000);
    // ♪ 请 A 零 一 二 号 到 三 号窗口办理: 10 clips of 200 ms (trimming takes a sample or two off
    // the tone's ends), 120 ms after the chime and 40 ms between the other eight pairs.
    let secs = out.duration_secs();
    assert!((2.43..=2.44).contains(&secs), "{secs}");
}

#[test]
fn refusals_name_the_clip_file() {
    let dir = tempfile::tempdir().unwrap();
    write_pack(dir.path(), 16000);
    let path = |name: &str| dir.path().join(name).display().to_string();

    std::fs::remove_file(dir.path().join("letter-Q.wav")).unwrap();
    let err = Pack::from_dir(dir.path()).unwrap_err();
    assert_eq!((err.code(), err.file()), ("voice.clip_missing", Some(path("letter-Q.wav").as_str())));
    assert!(err.to_string().contains("letter-Q"), "{err}");

    std::fs::write(dir.path().join("letter-Q.wav"), wav::write(&tone(22050, 200))).unwrap();
    let err = Pack::from_dir(dir.path()).unwrap_err();
    assert_eq!((err.code(), err.file()), ("voice.clip_sample_rate", Some(path("letter-Q.wav").as_str())));

    std::fs::write(
        dir.path().join("letter-Q.wav"),
        wav::write(&Wav { sample_rate: 16000, samples: vec![3; 800] }),
    )
    .unwrap();
    let err = Pack::from_dir(dir.path()).unwrap_err();
    assert_eq!((err.code(), err.file()), ("voice.clip_silent", Some(path("letter-Q.wav").as_str())));

    let mut stereo = wav::write(&tone(16000, 200));
    stereo[22] = 2; // channels
    std::fs::write(dir.path().join("qing.wav"), stereo).unwrap();
    let err = Pack::from_dir(dir.path()).unwrap_err();
    assert_eq!((err.code(), err.file()), ("voice.clip_format", Some(path("qing.wav").as_str())));
}
