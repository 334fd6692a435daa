//! Names the commit the binary is built from, for `sesame --version`: `BUILD_COMMIT` when
//! set (a build outside a git checkout, such as a release archive or a container), else
//! `git rev-parse --short=12 HEAD`, else "unknown". The name has no `SESAME_` prefix on
//! purpose: cargo also sets it in the environment of `cargo run` and `cargo test`, and the
//! server refuses any `SESAME_*` variable that is not one of its settings.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=BUILD_COMMIT");
    // Where git keeps them: `.git/…` in a clone; in a worktree `.git` is a file and HEAD
    // and the branches live in the main repository's git folder.
    for p in ["HEAD", "refs/heads", "packed-refs"] {
        let path = git(&["rev-parse", "--git-path", p]).unwrap_or_else(|| format!(".git/{p}"));
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = std::env::var("BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BUILD_COMMIT={commit}");
}

/// What `git ARGS` prints, trimmed, when it succeeds with something to say.
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}
