//! The named float tensors (initializers) of an ONNX file, read with a minimal protobuf
//! decoder: `ModelProto.graph` (field 7) → `GraphProto.initializer` (5) → `TensorProto`
//! `dims` (1), `data_type` (2, 1 = FLOAT), `float_data` (4), `name` (8), `raw_data` (9,
//! little-endian). Nothing else of the format is needed: selecta's musicnn runs its own
//! fixed graph over these weights (src/analysis/musicnn.rs), not the file's nodes.

use std::collections::HashMap;

/// A float tensor: its shape and values, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub dims: Vec<usize>,
    pub data: Vec<f32>,
}

fn varint(b: &[u8], i: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let c = *b.get(*i).ok_or("truncated varint")?;
        *i += 1;
        v |= u64::from(c & 0x7f) << shift;
        if c < 0x80 {
            return Ok(v);
        }
    }
    Err("varint too long".into())
}

/// A message's fields as (number, wire type, payload: the value for varints, the bytes for
/// length-delimited and fixed fields).
fn fields(b: &[u8]) -> Result<Vec<(u64, u8, u64, &[u8])>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let tag = varint(b, &mut i)?;
        let (num, wire) = (tag >> 3, (tag & 7) as u8);
        let (v, bytes): (u64, &[u8]) = match wire {
            0 => (varint(b, &mut i)?, &[]),
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                let s = b.get(i..i + n).ok_or("truncated fixed field")?;
                i += n;
                (0, s)
            }
            2 => {
                let n = varint(b, &mut i)? as usize;
                let s = b.get(i..i + n).ok_or("truncated field")?;
                i += n;
                (n as u64, s)
            }
            w => return Err(format!("protobuf wire type {w}")),
        };
        out.push((num, wire, v, bytes));
    }
    Ok(out)
}

fn floats(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// Every FLOAT initializer of the ONNX model in `bytes`, by name.
pub fn initializers(bytes: &[u8]) -> Result<HashMap<String, Tensor>, String> {
    let mut out = HashMap::new();
    let graph = fields(bytes)?.into_iter().find(|f| f.0 == 7 && f.1 == 2).ok_or("no graph in the ONNX model")?.3;
    for (_, _, _, tensor) in fields(graph)?.into_iter().filter(|f| f.0 == 5 && f.1 == 2) {
        let (mut name, mut dims, mut kind, mut data) = (String::new(), Vec::new(), 0, Vec::new());
        for (num, wire, v, b) in fields(tensor)? {
            match (num, wire) {
                (1, 0) => dims.push(v as usize),
                (1, 2) => {
                    let mut i = 0;
                    while i < b.len() {
                        dims.push(varint(b, &mut i)? as usize);
                    }
                }
                (2, 0) => kind = v,
                (4, 2) => data.extend(floats(b)),
                (4, 5) => data.extend(floats(b)),
                (8, 2) => name = String::from_utf8_lossy(b).into_owned(),
                (9, 2) => data = floats(b),
                _ => {}
            }
        }
        if kind != 1 {
            continue;
        }
        if data.len() != dims.iter().product::<usize>() {
            return Err(format!("initializer {name}: {} values for shape {dims:?}", data.len()));
        }
        out.insert(name, Tensor { dims, data });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u64, wire: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | u64::from(wire)) as u8];
        if wire == 2 {
            v.push(payload.len() as u8);
        }
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn reads_a_raw_and_a_float_data_initializer() {
        let raw: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|f| f.to_le_bytes()).collect();
        let mut a = field(1, 0, &[2]);
        a.extend(field(2, 0, &[1]));
        a.extend(field(8, 2, b"w"));
        a.extend(field(9, 2, &raw));
        let mut b = field(1, 2, &[1]); // packed dims
        b.extend(field(2, 0, &[1]));
        b.extend(field(4, 2, &0.25f32.to_le_bytes()));
        b.extend(field(8, 2, b"b"));
        let mut i64s = field(2, 0, &[7]); // an INT64 tensor is skipped
        i64s.extend(field(8, 2, b"axes"));
        let mut graph = field(5, 2, &a);
        graph.extend(field(5, 2, &b));
        graph.extend(field(5, 2, &i64s));
        let model = field(7, 2, &graph);
        let t = initializers(&model).unwrap();
        assert_eq!(t["w"], Tensor { dims: vec![2], data: vec![1.5, -2.0] });
        assert_eq!(t["b"], Tensor { dims: vec![1], data: vec![0.25] });
        assert_eq!(t.len(), 2);
        assert!(initializers(b"\x3a\x09").is_err(), "truncated");
    }
}
