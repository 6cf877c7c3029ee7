//! Minimal reader for NumPy `.npz` archives (a zip of `.npy` members), enough for the model's
//! weights: little-endian `f4`, `f8`, `u1` and `i1` arrays in C order.

use std::collections::HashMap;
use std::io::{Read, Seek};

use crate::Error;

/// Element type of an `.npy` array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// `<f4`
    F32,
    /// `<f8`
    F64,
    /// `|u1`
    U8,
    /// `|i1`
    I8,
}

impl DType {
    fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
            DType::U8 | DType::I8 => 1,
        }
    }
}

/// One array read from an `.npy` member: shape, element type and the raw little-endian bytes.
#[derive(Debug, Clone)]
pub struct Array {
    /// Dimensions, outermost first (C order). Empty for a scalar.
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: DType,
    /// Raw element bytes, `shape.product() * dtype.size()` long.
    pub data: Vec<u8>,
}

impl Array {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the array holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as `f32` (converting from `f8` if needed); error for integer arrays.
    pub fn to_f32(&self, name: &str) -> Result<Vec<f32>, Error> {
        match self.dtype {
            DType::F32 => Ok(self
                .data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            DType::F64 => Ok(self
                .data
                .chunks_exact(8)
                .map(|b| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    f64::from_le_bytes(a) as f32
                })
                .collect()),
            _ => Err(Error::Format(format!(
                "{name}: expected a float array, found {:?}",
                self.dtype
            ))),
        }
    }
}

/// Parse one `.npy` file image.
pub fn parse_npy(bytes: &[u8], name: &str) -> Result<Array, Error> {
    let bad = |why: &str| Error::Format(format!("{name}: not a supported .npy array: {why}"));
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("missing magic"));
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(bad("truncated header"));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(bad(&format!("format version {v}"))),
    };
    let end = start + header_len;
    if bytes.len() < end {
        return Err(bad("truncated header"));
    }
    let header = std::str::from_utf8(&bytes[start..end]).map_err(|_| bad("header not UTF-8"))?;
    let descr = header_value(header, "descr").ok_or_else(|| bad("no descr"))?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let dtype = match descr {
        "<f4" => DType::F32,
        "<f8" => DType::F64,
        "|u1" | "<u1" | "u1" => DType::U8,
        "|i1" | "<i1" | "i1" => DType::I8,
        other => return Err(bad(&format!("dtype {other}"))),
    };
    let fortran = header_value(header, "fortran_order").ok_or_else(|| bad("no fortran_order"))?;
    if fortran.trim() != "False" {
        return Err(bad("Fortran order"));
    }
    let shape_s = header_value(header, "shape").ok_or_else(|| bad("no shape"))?;
    let shape_s = shape_s.trim().trim_start_matches('(').trim_end_matches(')');
    let mut shape = Vec::new();
    for part in shape_s.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        shape.push(part.parse::<usize>().map_err(|_| bad("bad shape"))?);
    }
    let n: usize = shape.iter().product();
    let want = n * dtype.size();
    let data = &bytes[end..];
    if data.len() != want {
        return Err(bad(&format!(
            "data is {} bytes, shape needs {want}",
            data.len()
        )));
    }
    Ok(Array {
        shape,
        dtype,
        data: data.to_vec(),
    })
}

/// The text of a key's value in the header dict (up to the next top-level comma or brace).
fn header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let k1 = format!("'{key}':");
    let k2 = format!("\"{key}\":");
    let pos = header
        .find(&k1)
        .map(|p| p + k1.len())
        .or_else(|| header.find(&k2).map(|p| p + k2.len()))?;
    let rest = &header[pos..];
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' | '}' if depth == 0 => return Some(&rest[..i]),
            _ => {}
        }
    }
    Some(rest)
}

/// Read every member of an `.npz` archive into a map keyed by the member name without `.npy`.
pub fn read_npz<R: Read + Seek>(reader: R) -> Result<HashMap<String, Array>, Error> {
    let mut zip =
        zip::ZipArchive::new(reader).map_err(|e| Error::Format(format!("weights archive: {e}")))?;
    let mut out = HashMap::new();
    let mut buf = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| Error::Format(format!("weights archive member {i}: {e}")))?;
        let name = f.name().trim_end_matches(".npy").to_string();
        buf.clear();
        buf.reserve(f.size() as usize);
        f.read_to_end(&mut buf)
            .map_err(|e| Error::Format(format!("weights archive member {name}: {e}")))?;
        let arr = parse_npy(&buf, &name)?;
        out.insert(name, arr);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        v.extend_from_slice(&(header.len() as u16).to_le_bytes());
        v.extend_from_slice(header.as_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn parses_npz_with_float_uint8_and_scalar_members() {
        let floats: Vec<u8> = [1.5f32, -2.0, 3.25, 0.0, 7.0, 8.5]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        let mut cur = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut cur);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            w.start_file("w.npy", opts).unwrap();
            w.write_all(&npy("<f4", "(2, 3)", &floats)).unwrap();
            w.start_file("q1.npy", opts).unwrap();
            w.write_all(&npy("|u1", "(2, 2)", &[0, 1, 254, 255]))
                .unwrap();
            w.start_file("eps.npy", opts).unwrap();
            w.write_all(&npy("<f8", "()", &1e-12f64.to_le_bytes()))
                .unwrap();
            w.finish().unwrap();
        }
        cur.set_position(0);
        let m = read_npz(cur).unwrap();
        let w = &m["w"];
        assert_eq!(w.shape, vec![2, 3]);
        assert_eq!(w.to_f32("w").unwrap(), vec![1.5, -2.0, 3.25, 0.0, 7.0, 8.5]);
        let q = &m["q1"];
        assert_eq!(q.dtype, DType::U8);
        assert_eq!(q.data, vec![0, 1, 254, 255]);
        let eps = &m["eps"];
        assert!(eps.shape.is_empty());
        assert_eq!(eps.to_f32("eps").unwrap(), vec![1e-12f32]);
        assert!(q.to_f32("q1").is_err());
    }

    #[test]
    fn rejects_fortran_order_and_bad_length() {
        let v = npy("<f4", "(2,)", &[0; 8]);
        let at = v.windows(5).position(|w| w == b"False").unwrap();
        let mut f = v.clone();
        f[at..at + 5].copy_from_slice(b"True ");
        assert!(parse_npy(&v, "x").is_ok());
        assert!(parse_npy(&f, "x").is_err());
        assert!(parse_npy(&npy("<f4", "(3,)", &[0; 8]), "x").is_err());
        assert!(parse_npy(b"not numpy", "x").is_err());
    }
}
