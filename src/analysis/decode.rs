//! Decoding with symphonia: a file's audio as interleaved `f32` chunks at its own rate.
//!
//! Formats compiled in (symphonia without default features, to keep the build small): FLAC,
//! MP3, WAV/PCM, AIFF, Ogg Vorbis, ALAC and AAC in MP4/M4A. [`decode`] streams packet by
//! packet into a callback, so memory is one packet's worth whatever the file's length. A
//! packet that fails to decode is skipped and counted (a scratch in an MP3); a file whose
//! container or codec cannot be read is a [`FileError`].

use std::fs::File;
use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::error::FileError;

/// What the decoder learnt about the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    pub channels: usize,
    pub rate: u32,
    /// The codec's short name (`flac`, `mp3`, `pcm_s16le`, …).
    pub codec: String,
    /// Packets skipped because they did not decode.
    pub bad_packets: u64,
}

/// Opens `path` and calls `start` once with the stream's channels and rate, then `chunk` with
/// every decoded buffer (interleaved).
pub fn decode(path: &Path, mut start: impl FnMut(usize, u32), mut chunk: impl FnMut(&[f32])) -> Result<StreamInfo, FileError> {
    let file = File::open(path).map_err(|e| FileError::Io(e.to_string()))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(&hint, mss, &FormatOptions { enable_gapless: true, ..Default::default() }, &MetadataOptions::default())
        .map_err(|e| FileError::Unsupported(e.to_string()))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| FileError::Unsupported("no audio track".into()))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let codec = symphonia::default::get_codecs().get_codec(params.codec).map(|d| d.short_name.to_string()).unwrap_or_else(|| "unknown".into());
    let mut decoder = symphonia::default::get_codecs().make(&params, &DecoderOptions::default()).map_err(|e| FileError::Unsupported(e.to_string()))?;
    let mut started: Option<(usize, u32)> = None;
    let mut buf: Option<SampleBuffer<f32>> = None;
    let mut bad_packets = 0u64;
    let mut good_packets = 0u64;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) => {
                if good_packets == 0 {
                    return Err(FileError::Decode(e.to_string()));
                }
                // a truncated file: keep what was decoded
                bad_packets += 1;
                break;
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let spec = *decoded.spec();
                let channels = spec.channels.count();
                if started.is_none() {
                    start(channels, spec.rate);
                    started = Some((channels, spec.rate));
                }
                if buf.as_ref().is_none_or(|b| b.capacity() < decoded.capacity()) {
                    buf = Some(SampleBuffer::new(decoded.capacity() as u64, spec));
                }
                let b = buf.as_mut().expect("just set");
                b.copy_interleaved_ref(decoded);
                chunk(b.samples());
                good_packets += 1;
            }
            Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => bad_packets += 1,
            Err(e) => return Err(FileError::Decode(e.to_string())),
        }
    }
    let Some((channels, rate)) = started else {
        return Err(FileError::Empty(if bad_packets > 0 { format!("{bad_packets} packets, none decodable") } else { "no samples".into() }));
    };
    Ok(StreamInfo { channels, rate, codec, bad_packets })
}
