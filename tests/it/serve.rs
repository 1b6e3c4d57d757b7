//! `selecta serve`: the real server on the sample matched against its local catalogue, asked
//! over raw HTTP what a browser would not send (a foreign Host, a POST without its token), a
//! decision and a rename written where the build reads them, and a taken port.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use selecta::fakes::raw_http::{Answer, request};

use crate::{Project, repo};

/// The sample with `[match]` on its local catalogue and both decision files configured.
pub fn review_project() -> Project {
    let p = Project::new();
    for f in ["collection.csv", "collection_tracks.csv", "exportify.csv", "catalogue.csv"] {
        p.copy(&repo().join("data/sample").join(f), &format!("data/{f}"));
    }
    p.file(
        "selecta.toml",
        r#"warehouse = "out/w.duckdb"
[inputs]
releases = ["data/collection.csv"]
tracklists = ["data/collection_tracks.csv"]
features = ["data/exportify.csv"]
[match]
source = "catalogue"
catalogue = "data/catalogue.csv"
overrides = "decisions/overrides.csv"
[cluster]
k = 6
names = "decisions/names.toml"
"#,
    );
    p
}

/// A running `selecta serve --port 0`, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(p: &Project, port: u16) -> Result<Server, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_selecta"))
        .current_dir(p.dir.path())
        .args(["--config", "selecta.toml", "serve", "--port", &port.to_string()])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting selecta serve");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    // Keep reading what it prints after the address, as a terminal would.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let Some(url) = first.trim().strip_prefix("selecta serve: http://") else {
        let out = child.wait_with_output().unwrap();
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    };
    let addr: SocketAddr = url.trim_end_matches('/').parse().unwrap();
    Ok(Server { child, addr })
}

fn get(s: &Server, path: &str) -> Answer {
    request(s.addr, "GET", path, &format!("127.0.0.1:{}", s.addr.port()), None).unwrap()
}

fn post(s: &Server, path: &str, body: &str) -> Answer {
    request(s.addr, "POST", path, &format!("127.0.0.1:{}", s.addr.port()), Some(body)).unwrap()
}

/// The CSRF token written into a page's forms.
fn token(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a token") + "name=\"csrf\" value=\"".len();
    page[at..at + 64].to_string()
}

/// A foreign Host is refused on every path (DNS rebinding); a POST without the token, or with
/// a wrong one, is refused and writes nothing; the port taken by one server is refused by the
/// next with a clear message.
#[test]
fn foreign_hosts_and_tokenless_posts_are_refused() {
    let p = review_project();
    p.run(&["build"]).success();
    let s = start(&p, 0).unwrap();
    for path in ["/", "/review", "/assets/app.js"] {
        let a = request(s.addr, "GET", path, "evil.example", None).unwrap();
        assert_eq!(a.status, 403, "{path}: {a:?}");
        assert!(a.body.contains("answers only to 127.0.0.1, localhost or [::1]"), "{}", a.body);
    }
    let a = request(s.addr, "POST", "/review/decide", &format!("evil.example:{}", s.addr.port()), Some("track_id=x&choice=none")).unwrap();
    assert_eq!(a.status, 403);
    let page = get(&s, "/review");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.header("content-security-policy").is_some_and(|c| c.contains("script-src 'self'")));
    let track = "1008920_A1";
    for body in [format!("track_id={track}&choice=none"), format!("track_id={track}&choice=none&csrf={}", "0".repeat(64))] {
        let a = post(&s, "/review/decide", &body);
        assert_eq!(a.status, 403, "{body}: {a:?}");
        assert!(a.body.contains("no valid CSRF token"), "{}", a.body);
    }
    assert_eq!(post(&s, "/rebuild", "").status, 403);
    assert_eq!(post(&s, "/clusters/rename", "cluster=0&name=Mine").status, 403);
    assert_eq!(std::fs::read_to_string(p.path("decisions/overrides.csv")).unwrap(), "track_id,spotify_id\n", "nothing was written");

    let e = start(&p, s.addr.port()).unwrap_err();
    assert!(e.contains(&format!("port {} on 127.0.0.1 is taken", s.addr.port())) && e.contains("--port"), "{e}");
}

/// With the page's token: a decision lands in the overrides file, a second one made from a
/// stale page is a conflict (409) that writes nothing, a rename lands in the names file, and
/// a track or cluster the warehouse lacks is refused.
#[test]
fn decisions_are_written_and_stale_ones_refused() {
    let p = review_project();
    p.run(&["build"]).success();
    let s = start(&p, 0).unwrap();
    let page = get(&s, "/review?quality=ambiguous");
    let csrf = token(&page.body);
    let ambiguous = p.query("SELECT track_id FROM track_matches WHERE quality = 'ambiguous' ORDER BY track_id LIMIT 1").remove(0).remove(0);
    assert!(page.body.contains(&format!("id=\"t-{ambiguous}\"")), "the ambiguous track is queued");
    let a = post(&s, "/review/decide", &format!("csrf={csrf}&track_id={ambiguous}&choice=none&was="));
    assert_eq!(a.status, 303, "{a:?}");
    assert!(a.header("location").is_some_and(|l| l.starts_with("/review")));
    let overrides = p.path("decisions/overrides.csv");
    assert_eq!(std::fs::read_to_string(&overrides).unwrap(), format!("track_id,spotify_id\n{ambiguous},none\n"));
    // The same form again (it still says `was=`): the file changed meanwhile, nothing written.
    let a = post(&s, "/review/decide", &format!("csrf={csrf}&track_id={ambiguous}&choice=pasted&pasted=spotify%3Atrack%3A4uLU6hMCjMI75M1A2tKUQC&was="));
    assert_eq!(a.status, 409, "{a:?}");
    assert!(a.body.contains("changed since this page was shown"), "{}", a.body);
    assert_eq!(std::fs::read_to_string(&overrides).unwrap(), format!("track_id,spotify_id\n{ambiguous},none\n"));
    assert_eq!(post(&s, "/review/decide", &format!("csrf={csrf}&track_id=nope_A1&choice=none&was=")).status, 404);
    assert_eq!(post(&s, "/review/decide", &format!("csrf={csrf}&track_id={ambiguous}&choice=pasted&pasted=..%2F..%2Fetc&was=none")).status, 400);

    let computed = p.scalar("SELECT computed_name FROM clusters WHERE cluster = 1");
    let a = post(&s, "/clusters/rename", &format!("csrf={csrf}&cluster=1&name=Late+night&was="));
    assert_eq!(a.status, 303, "{a:?}");
    let names = std::fs::read_to_string(p.path("decisions/names.toml")).unwrap();
    assert!(names.ends_with(&format!("\"{computed}\" = \"Late night\"\n")), "{names}");
    assert_eq!(post(&s, "/clusters/rename", &format!("csrf={csrf}&cluster=99&name=X&was=")).status, 404);
    let clusters = get(&s, "/clusters");
    assert_eq!(clusters.status, 200);
    assert!(clusters.body.contains("value=\"Late night\""), "the names file's entry is sent back as `was`");
}
