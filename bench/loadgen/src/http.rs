//! A keep-alive HTTP/1.1 client on one TCP connection to a loopback address. It reconnects when
//! the connection is gone, and counts how often it had to.

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub struct Client {
    addr: SocketAddr,
    host: HeaderValue,
    auth: Option<HeaderValue>,
    sender: Option<SendRequest<Full<Bytes>>>,
    pub connects: u64,
}

/// Parses `http://127.0.0.1:PORT` (any path is ignored). Anything but loopback IPv4 is refused:
/// the benchmark talks to nothing else.
pub fn loopback_addr(url: &str) -> Result<SocketAddr> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url:?}: only http:// URLs"))?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let addr: SocketAddr = authority
        .parse()
        .with_context(|| format!("{url:?}: expected http://127.0.0.1:PORT"))?;
    if addr.ip() != std::net::Ipv4Addr::LOCALHOST {
        bail!("{url:?}: the benchmark only talks to 127.0.0.1");
    }
    Ok(addr)
}

impl Client {
    pub fn new(addr: SocketAddr, bearer: Option<&str>) -> Result<Self> {
        let auth = match bearer {
            Some(b) => Some(
                HeaderValue::from_str(&format!("Bearer {b}"))
                    .context("secret key is not a header value")?,
            ),
            None => None,
        };
        Ok(Self {
            addr,
            host: HeaderValue::from_str(&addr.to_string())?,
            auth,
            sender: None,
            connects: 0,
        })
    }

    async fn ready(&mut self) -> Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_some_and(|s| s.is_closed()) {
            self.sender = None;
        }
        if self.sender.is_none() {
            let stream = TcpStream::connect(self.addr)
                .await
                .with_context(|| format!("connect {}", self.addr))?;
            stream.set_nodelay(true)?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                // Ends when the server closes the connection or the sender is dropped.
                let _ = conn.await;
            });
            self.connects += 1;
            self.sender = Some(sender);
        }
        let sender = self.sender.as_mut().context("no connection")?;
        sender.ready().await?;
        Ok(sender)
    }

    /// Sends one request; `body` is sent as `application/json` (empty when `b""`).
    pub async fn send(&mut self, method: Method, path: &str, body: Bytes) -> Result<Response> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.host.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, body.len());
        if let Some(auth) = &self.auth {
            req = req.header(header::AUTHORIZATION, auth.clone());
        }
        self.exchange(req.body(Full::new(body))?).await
    }

    /// Sends one request with the given headers (besides `Host` and `Content-Length`) and
    /// `body` as `content_type` (no body and no type when `None`); the Frontend API's browser
    /// requests go through here.
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(HeaderName, HeaderValue)],
        body: Option<(&'static str, Bytes)>,
    ) -> Result<Response> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.host.clone());
        if let Some(auth) = &self.auth {
            req = req.header(header::AUTHORIZATION, auth.clone());
        }
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let body = match body {
            Some((content_type, bytes)) => {
                req = req
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::CONTENT_LENGTH, bytes.len());
                bytes
            }
            None => {
                req = req.header(header::CONTENT_LENGTH, 0);
                Bytes::new()
            }
        };
        self.exchange(req.body(Full::new(body))?).await
    }

    pub async fn get(&mut self, path: &str) -> Result<Response> {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::HOST, self.host.clone());
        if let Some(auth) = &self.auth {
            req = req.header(header::AUTHORIZATION, auth.clone());
        }
        self.exchange(req.body(Full::new(Bytes::new()))?).await
    }

    /// Sends `req` on the kept-alive connection (opening one if needed) and reads the whole
    /// answer; a failed exchange forgets the connection.
    async fn exchange(&mut self, req: Request<Full<Bytes>>) -> Result<Response> {
        let result = async {
            let sender = self.ready().await?;
            let res = sender.send_request(req).await?;
            let (parts, body) = res.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok(Response {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        }
        .await;
        if result.is_err() {
            self.drop_connection();
        }
        result
    }

    /// Forgets the connection (after a timeout, say); the next request opens a new one.
    pub fn drop_connection(&mut self) {
        self.sender = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_accepted() {
        assert!(loopback_addr("http://127.0.0.1:8080").is_ok());
        assert!(loopback_addr("http://127.0.0.1:8080/v1").is_ok());
        assert!(loopback_addr("http://10.0.0.1:8080").is_err());
        assert!(loopback_addr("http://localhost:8080").is_err());
        assert!(loopback_addr("https://127.0.0.1:8080").is_err());
    }
}
