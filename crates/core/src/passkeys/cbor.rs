//! Just enough CBOR (RFC 8949) to read what an authenticator sends: the attestation object,
//! its statement and COSE keys. Definite lengths only (CTAP2's canonical form), bounded
//! nesting, every length checked against what is left: a malformed input is an error, never a
//! panic or an allocation its length claims.

/// A decoded item. Floats, tags and simple values other than booleans and null are refused:
/// nothing WebAuthn reads holds them.
#[derive(Debug, Clone, PartialEq)]
pub enum Cbor {
    Int(i128),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(Cbor, Cbor)>),
    Bool(bool),
    Null,
}

/// Why the input is not the CBOR expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CborError(pub &'static str);

const MAX_DEPTH: usize = 16;

impl Cbor {
    /// The item at the start of `input` and the number of bytes it took.
    pub fn decode_prefix(input: &[u8]) -> Result<(Cbor, usize), CborError> {
        let mut r = Reader { input, pos: 0 };
        let item = r.item(0)?;
        Ok((item, r.pos))
    }

    /// The one item `input` holds, with nothing after it.
    pub fn decode(input: &[u8]) -> Result<Cbor, CborError> {
        let (item, used) = Self::decode_prefix(input)?;
        if used != input.len() {
            return Err(CborError("trailing bytes after the CBOR item"));
        }
        Ok(item)
    }

    /// The value under `key` in a map (a text or an integer key).
    pub fn get(&self, key: &Cbor) -> Option<&Cbor> {
        match self {
            Cbor::Map(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_text(&self, key: &str) -> Option<&Cbor> {
        self.get(&Cbor::Text(key.to_owned()))
    }

    pub fn get_int(&self, key: i128) -> Option<&Cbor> {
        self.get(&Cbor::Int(key))
    }

    pub fn as_int(&self) -> Option<i128> {
        match self {
            Cbor::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Cbor::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cbor::Text(t) => Some(t),
            _ => None,
        }
    }
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CborError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.input.len())
            .ok_or(CborError("truncated CBOR"))?;
        let out = &self.input[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        Ok(self.take(1)?[0])
    }

    /// The argument of a head whose low five bits are `info`.
    fn argument(&mut self, info: u8) -> Result<u64, CborError> {
        let width = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => return Err(CborError("indefinite or reserved CBOR length")),
        };
        let mut n = 0u64;
        for b in self.take(width)? {
            n = (n << 8) | u64::from(*b);
        }
        Ok(n)
    }

    /// A length that must fit in what is left (each element takes at least one byte).
    fn length(&mut self, info: u8) -> Result<usize, CborError> {
        let n = self.argument(info)?;
        let left = self.input.len() - self.pos;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= left)
            .ok_or(CborError("CBOR length beyond the input"))
    }

    fn item(&mut self, depth: usize) -> Result<Cbor, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError("CBOR nested too deeply"));
        }
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        Ok(match major {
            0 => Cbor::Int(i128::from(self.argument(info)?)),
            1 => Cbor::Int(-1 - i128::from(self.argument(info)?)),
            2 => {
                let n = self.length(info)?;
                Cbor::Bytes(self.take(n)?.to_vec())
            }
            3 => {
                let n = self.length(info)?;
                let text = std::str::from_utf8(self.take(n)?)
                    .map_err(|_| CborError("CBOR text is not UTF-8"))?;
                Cbor::Text(text.to_owned())
            }
            4 => {
                let n = self.length(info)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Cbor::Array(items)
            }
            5 => {
                let n = self.length(info)?;
                let mut pairs = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.item(depth + 1)?;
                    let v = self.item(depth + 1)?;
                    if pairs.iter().any(|(seen, _)| seen == &k) {
                        return Err(CborError("duplicate CBOR map key"));
                    }
                    pairs.push((k, v));
                }
                Cbor::Map(pairs)
            }
            7 => match info {
                20 => Cbor::Bool(false),
                21 => Cbor::Bool(true),
                22 => Cbor::Null,
                _ => return Err(CborError("unsupported CBOR simple value or float")),
            },
            _ => return Err(CborError("CBOR tags are not accepted")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_items_webauthn_uses() {
        // {1: 2, 3: -7, "a": h'0102', "t": [true, null]}
        let input = [
            0xa4, 0x01, 0x02, 0x03, 0x26, 0x61, b'a', 0x42, 1, 2, 0x61, b't', 0x82, 0xf5, 0xf6,
        ];
        let item = Cbor::decode(&input).unwrap();
        assert_eq!(item.get_int(1), Some(&Cbor::Int(2)));
        assert_eq!(item.get_int(3).and_then(Cbor::as_int), Some(-7));
        assert_eq!(
            item.get_text("a").and_then(Cbor::as_bytes),
            Some(&[1u8, 2][..])
        );
        assert_eq!(
            item.get_text("t"),
            Some(&Cbor::Array(vec![Cbor::Bool(true), Cbor::Null]))
        );
    }

    #[test]
    fn refuses_what_it_cannot_trust() {
        // A byte string claiming more than is there; a huge array length; trailing bytes;
        // indefinite lengths; a duplicate key; deep nesting.
        assert!(Cbor::decode(&[0x45, 1, 2]).is_err());
        assert!(Cbor::decode(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(Cbor::decode(&[0x01, 0x02]).is_err());
        assert!(Cbor::decode(&[0x5f, 0xff]).is_err());
        assert!(Cbor::decode(&[0xa2, 0x01, 0x01, 0x01, 0x02]).is_err());
        assert!(Cbor::decode(&[0x81; 64]).is_err());
        assert!(Cbor::decode(&[]).is_err());
    }
}
