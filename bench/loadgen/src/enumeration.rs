//! `usher-bench enumeration`, behind `bench/enumeration/run`: with enumeration protection on,
//! how long the Frontend API takes to answer for a real account and for an unknown address.
//! Rounds alternate which goes first; each request comes from a fresh address (the server
//! trusts `X-Forwarded-For` from loopback), so no rate limit is reached. Prints the medians
//! and their ratio (real ÷ unknown) for starting a sign-in and for preparing an emailed code.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hyper::Method;
use hyper::body::Bytes;
use serde_json::{Value, json};

use crate::args::Flags;
use crate::fixture::snippet;
use crate::frontdoor::{self, Browser, Step, create_sign_in, form};
use crate::http::Client;

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub async fn run(mut flags: Flags) -> Result<()> {
    let (_, api) = frontdoor::addr_flag(&mut flags, "api")?;
    let (_, frontend) = frontdoor::addr_flag(&mut flags, "frontend")?;
    let origin = frontdoor::origin_flag(&mut flags)?;
    let rounds: usize = flags.get("rounds", 50)?;
    flags.finish()?;
    let secret = frontdoor::secret_key()?;
    let mut bapi = Client::new(api, Some(&secret))?;
    let known = "known@enumeration.test";
    let res = bapi
        .send(
            Method::POST,
            "/v1/users",
            Bytes::from(serde_json::to_vec(&json!({
                "email_address": [known],
                "password": "enumeration-bench-password",
            }))?),
        )
        .await?;
    if res.status != 200 {
        bail!(
            "creating the account: {} {}",
            res.status,
            snippet(&res.body)
        );
    }
    let mut client = Client::new(frontend, None)?;
    // [real, unknown] × [create, prepare]
    let mut times = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
    let mut address = 0u32;
    for round in 0..rounds {
        let order: [(usize, &str); 2] = if round % 2 == 0 {
            [(0, known), (1, "ghost@enumeration.test")]
        } else {
            [(1, "ghost@enumeration.test"), (0, known)]
        };
        for (which, identifier) in order {
            address += 1;
            let mut browser = Browser::new(&origin, Ipv4Addr::from(0xC612_0000 | address));
            let start = Instant::now();
            let id = match create_sign_in(&mut client, &mut browser, identifier).await? {
                Step::Ok(id) => id,
                Step::Refused(status, body) => {
                    bail!("starting a sign-in for {identifier}: {status} {body}")
                }
                Step::BadBody(body) => bail!("starting a sign-in for {identifier}: {body}"),
            };
            times[which][0].push(start.elapsed());
            let start = Instant::now();
            let res = browser
                .post(
                    &mut client,
                    &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
                    Some(form(&[("strategy", "email_code")])),
                )
                .await?;
            times[which][1].push(start.elapsed());
            if res.status != 200 {
                bail!(
                    "preparing a code for {identifier}: {} {}",
                    res.status,
                    snippet(&res.body)
                );
            }
            let v: Value = serde_json::from_slice(&res.body).context("prepare answer")?;
            if v["response"]["first_factor_verification"]["strategy"] != "email_code" {
                bail!("unexpected answer: {}", snippet(&res.body));
            }
        }
    }
    println!("enumeration protection, {rounds} requests each (medians):");
    for (step, name) in [(0, "start a sign-in"), (1, "prepare an emailed code")] {
        let real = median(&mut times[0][step]);
        let unknown = median(&mut times[1][step]);
        println!(
            "  {name:<24} real {:>7.3} ms   unknown {:>7.3} ms   ratio {:.2}",
            real.as_secs_f64() * 1e3,
            unknown.as_secs_f64() * 1e3,
            real.as_secs_f64() / unknown.as_secs_f64()
        );
    }
    Ok(())
}
