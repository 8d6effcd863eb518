//! Image uploads as the SDKs send them: `multipart/form-data` bodies, and the served image read
//! back with its headers.

use reqwest::Method;

use super::{App, Reply};

/// A real 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xFC, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x56, 0xC7, 0x2F, 0x0D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A GIF header and a few bytes: a different image than [`PNG`].
pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";

pub const SVG: &[u8] =
    b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>";

const BOUNDARY: &str = "----usherTestBoundary7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body: the text `fields`, then `file` (its bytes and the content type
/// the client claims) when given; and its content type.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&[u8], &str)>) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((bytes, content_type)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A served image: status, the response's headers, its bytes.
pub struct Served {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Served {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl App {
    /// A Backend API request with this content type and body.
    pub async fn upload(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let res = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.secret)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        Reply::read(res).await
    }

    /// An image file uploaded as the SDKs do (`file` in a multipart form).
    pub async fn upload_image(&self, method: Method, path: &str, bytes: &[u8]) -> Reply {
        let (content_type, body) = multipart(&[], Some((bytes, "image/png")));
        self.upload(method, path, &content_type, body).await
    }

    /// `GET` of an absolute image URL, as an `<img>` fetches it.
    pub async fn fetch_image(&self, url: &str) -> Served {
        let res = self.http.get(url).send().await.unwrap();
        Served {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            bytes: res.bytes().await.unwrap().to_vec(),
        }
    }
}
