//! The administration guide and the README name only commands and flags the binary has:
//! every `sesame …` usage in them is walked down the real binary's `--help`, subcommand by
//! subcommand, and each `--flag` it shows must be in the help of the command it is given to.
//!
//! A usage is a command line in a fenced block (`$ sesame …` or `cargo run -- …`, with its
//! `\` continuations) or an inline code span starting with `sesame `. An inline span of
//! flags alone (`--all-sessions`) belongs to a usage on the same line, or, in a table, to
//! the last usage before the table (the README's `clients add` options).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::process::sesame_command;

/// One `sesame …` usage: where it is and its words after `sesame`.
#[derive(Debug)]
struct Usage {
    line: usize,
    words: Vec<String>,
}

fn doc_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The words after `sesame` (or `cargo run --`), when `text` is a usage.
fn invocation(text: &str) -> Option<Vec<String>> {
    let text = text.trim().trim_start_matches("$ ").trim();
    let rest = if text == "sesame" {
        ""
    } else if let Some(rest) = text.strip_prefix("sesame ") {
        rest
    } else {
        text.strip_prefix("cargo run -- ")?
    };
    // A shell comment or redirection ends the command.
    let mut words = Vec::new();
    for w in rest.split_whitespace() {
        if w.starts_with('#') || [">", "|", "&&", ";"].contains(&w) {
            break;
        }
        words.push(w.trim_matches(['[', ']', '(', ')', ',']).to_string());
    }
    Some(words)
}

/// Every usage in a Markdown document.
fn usages(doc: &str) -> Vec<Usage> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut found: Vec<Usage> = Vec::new();
    // Inside a fenced block: whether it is a `console` one, whose commands start with `$ `
    // (its other lines are output).
    let mut fence: Option<bool> = None;
    // The usage a table's flag-only spans belong to, and whether the previous line was a row.
    let mut table_owner: Option<usize> = None;
    let mut in_table = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let number = i + 1;
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                None => Some(info.trim() == "console"),
                Some(_) => None,
            };
            i += 1;
            continue;
        }
        if let Some(console) = fence {
            if console && !line.starts_with("$ ") {
                i += 1;
                continue;
            }
            let mut command = line.to_string();
            while command.trim_end().ends_with('\\') && i + 1 < lines.len() {
                command = command.trim_end().trim_end_matches('\\').to_string();
                i += 1;
                command.push(' ');
                command.push_str(lines[i]);
            }
            if let Some(words) = invocation(&command) {
                found.push(Usage {
                    line: number,
                    words,
                });
            }
            i += 1;
            continue;
        }
        // Inline code; a span left open at the end of the line continues on the next one.
        let mut text = line.to_string();
        while text.matches('`').count() % 2 == 1 && i + 1 < lines.len() {
            i += 1;
            text.push(' ');
            text.push_str(lines[i]);
        }
        let is_row = text.trim_start().starts_with('|');
        if is_row && !in_table {
            table_owner = found.len().checked_sub(1);
        }
        in_table = is_row;
        let mut on_this_line: Option<usize> = None;
        for (k, span) in text.split('`').enumerate() {
            if k % 2 == 0 {
                continue;
            }
            if let Some(words) = invocation(span) {
                found.push(Usage {
                    line: number,
                    words,
                });
                on_this_line = Some(found.len() - 1);
            } else if span.trim_start().starts_with("--") {
                let owner = on_this_line.or(if is_row { table_owner } else { None });
                if let Some(owner) = owner {
                    found[owner]
                        .words
                        .extend(span.split_whitespace().map(str::to_string));
                }
            }
        }
        i += 1;
    }
    found
}

/// A word that stands for a value: `USER`, `$CLIENT`, `…`.
fn placeholder(word: &str) -> bool {
    word.is_empty()
        || word.starts_with('$')
        || word.contains('…')
        || word.contains("...")
        || !word.chars().any(|c| c.is_ascii_lowercase())
}

/// The subcommands a `--help` lists (none for a command that takes no subcommand).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// `flag` (`--name`) is one of the options `help` lists.
fn has_flag(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        let before = help[..at].chars().next_back();
        let after = help[at + flag.len()..].chars().next();
        !matches!(before, Some(c) if c.is_ascii_alphanumeric() || c == '-')
            && !matches!(after, Some(c) if c.is_ascii_alphanumeric() || c == '-')
    })
}

/// The binary's `--help` for one command path, asked once.
struct Helps {
    dir: tempfile::TempDir,
    cache: HashMap<Vec<String>, String>,
}

impl Helps {
    async fn of(&mut self, path: &[String]) -> String {
        if let Some(help) = self.cache.get(path) {
            return help.clone();
        }
        let out = sesame_command(self.dir.path())
            .args(path)
            .arg("--help")
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "`sesame {} --help` failed: {}",
            path.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let help = String::from_utf8_lossy(&out.stdout).into_owned();
        self.cache.insert(path.to_vec(), help.clone());
        help
    }
}

/// Checks every usage of `doc` against the binary; returns the problems and how many flags
/// were checked.
async fn check(doc: &str) -> (Vec<String>, usize) {
    let text = std::fs::read_to_string(doc_path(doc)).unwrap();
    let found = usages(&text);
    assert!(
        found.len() >= 10,
        "{doc}: only {} usages found",
        found.len()
    );
    let mut helps = Helps {
        dir: tempfile::tempdir().unwrap(),
        cache: HashMap::new(),
    };
    let mut problems = Vec::new();
    let mut flags = 0;
    for usage in &found {
        let mut path: Vec<String> = Vec::new();
        let mut help = helps.of(&path).await;
        for word in &usage.words {
            let shown = format!("{doc}:{}: `sesame {}`", usage.line, usage.words.join(" "));
            if let Some(flag) = word.strip_prefix("--") {
                let flag = format!("--{}", flag.split('=').next().unwrap_or_default());
                flags += 1;
                if !has_flag(&help, &flag) {
                    problems.push(format!(
                        "{shown}: `sesame {}` has no {flag}",
                        path.join(" ")
                    ));
                }
                continue;
            }
            let commands = subcommands(&help);
            if word.starts_with('-') || placeholder(word) || commands.is_empty() {
                continue; // a short flag, a value, or an argument of a command
            }
            let alternatives: Vec<&str> = word.split('/').collect();
            let missing: Vec<&&str> = alternatives
                .iter()
                .filter(|name| !commands.iter().any(|c| c == *name))
                .collect();
            for name in &missing {
                problems.push(format!(
                    "{shown}: `sesame {}` has no subcommand {name}",
                    path.join(" ")
                ));
            }
            if alternatives.len() > 1 || !missing.is_empty() {
                break; // `add/list/get`, or no such command: what follows is no one command's
            }
            path.push(word.clone());
            help = helps.of(&path).await;
        }
    }
    (problems, flags)
}

#[tokio::test]
async fn every_flag_in_the_admin_guide_exists() {
    let (problems, flags) = check("docs/admin.md").await;
    assert!(flags >= 20, "only {flags} flags found in docs/admin.md");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn every_command_and_flag_in_the_readme_exists() {
    let (problems, flags) = check("README.md").await;
    assert!(flags >= 20, "only {flags} flags found in README.md");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn usages_are_found_in_blocks_inline_spans_and_tables() {
    let doc = "Run `sesame users revoke USER --grant GID` / `--all-grants` or:\n\
               ```console\n\
               $ sesame clients add --name X \\\n    --logo-uri https://x  # a comment --nope\n\
               sesame 0.1.0 (commit 0123abcd) is output, not a command\n\
               ```\n\
               ```sh\ncargo run -- admin openapi > out.json\n```\n\
               See `sesame clients add --help`:\n\n\
               | option | meaning |\n| --- | --- |\n| `--public` | no secret |\n\
               Not a usage: `--accent`.\n";
    let found: Vec<Vec<String>> = usages(doc).into_iter().map(|u| u.words).collect();
    let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        found,
        vec![
            words("users revoke USER --grant GID --all-grants"),
            words("clients add --name X --logo-uri https://x"),
            words("admin openapi"),
            words("clients add --help --public"),
        ]
    );
    assert!(has_flag("  --all-grants  Revoke", "--all-grants"));
    assert!(!has_flag("  --all-grants  Revoke", "--all"));
}
