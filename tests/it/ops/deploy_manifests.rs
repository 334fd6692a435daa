//! The files in deploy/ (the container recipe and the Kubernetes shapes) checked against
//! what the binary serves and reads: probe paths are the server's, ports agree from the
//! Containerfile's EXPOSE to the Service, every `SESAME_*` name is one `sesame
//! check-config` accepts, and the real binary started with a shape's environment answers
//! the probes the manifests name.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use sesame::health::{HEALTHZ_PATH, READYZ_PATH};

use crate::support::manifests::*;
use crate::support::process::*;
use crate::support::smtp::SmtpSink;
use crate::support::*;

/// Marks a value the operator replaces; a Secret in deploy/ holds nothing else.
const PLACEHOLDER: &str = "REPLACE_ME";

/// The shapes deploy/kubernetes must hold.
const SHAPES: &[&str] = &["sqlite", "postgres"];

/// The shape's environment with each placeholder replaced by a value the test can use;
/// the names stay those of the manifests.
fn usable(env: &Env, db_url: &str, smtp_url: &str) -> Env {
    env.iter()
        .map(|(name, value)| {
            if !value.contains(PLACEHOLDER) {
                return (name.clone(), value.clone());
            }
            let test = match name.as_str() {
                "SESAME_SECRET_KEY" => TEST_SECRET_KEY,
                "SESAME_SMTP_URL" => smtp_url,
                "SESAME_DATABASE_URL" => db_url,
                "SESAME_OPS__METRICS_TOKEN" => "a-metrics-token-for-the-deploy-test",
                other => panic!("{other} holds a placeholder this test has no value for"),
            };
            (name.clone(), test.to_string())
        })
        .collect()
}

/// `sesame check-config` with exactly `env`: whether it passed, its stdout and stderr.
async fn check_config(env: &Env) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config").envs(env);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("check-config exits")
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_file_under_deploy_is_a_kubernetes_document_listed_in_its_kustomization() {
    let files = yaml_files(&deploy_dir());
    assert!(!files.is_empty(), "no YAML under deploy/");
    for file in &files {
        // Each file belongs to a shape the tests below check.
        let shape_dir = SHAPES
            .iter()
            .map(|name| deploy_dir().join("kubernetes").join(name))
            .find(|dir| file.starts_with(dir));
        assert!(shape_dir.is_some(), "{} is in no shape", file.display());
        let docs = load(file);
        assert!(!docs.is_empty(), "{}: empty", file.display());
        for d in &docs {
            assert!(
                d.yaml["apiVersion"].as_str().is_some(),
                "{}",
                file.display()
            );
            assert!(!d.kind().is_empty(), "{}: no kind", file.display());
        }
    }
    for name in SHAPES {
        let s = shape(name);
        let kustomization = s.one("Kustomization");
        let listed: Vec<PathBuf> = kustomization.yaml["resources"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|r| s.dir.join(r.as_str().unwrap()))
            .collect();
        for file in yaml_files(&s.dir) {
            if file != kustomization.file {
                assert!(listed.contains(&file), "{} not listed", file.display());
            }
        }
        for file in &listed {
            assert!(file.exists(), "{} listed but missing", file.display());
        }
    }
}

#[test]
fn probes_and_ports_are_the_servers_from_the_containerfile_to_the_service() {
    let image = image();
    for name in SHAPES {
        let s = shape(name);
        let c = s.container();
        let port = s.container_port();
        for (probe, path) in [
            ("livenessProbe", HEALTHZ_PATH),
            ("readinessProbe", READYZ_PATH),
            ("startupProbe", HEALTHZ_PATH),
        ] {
            let get = &c[probe]["httpGet"];
            if probe == "startupProbe" && c[probe].is_badvalue() {
                continue; // optional; the other two are not
            }
            assert_eq!(get["path"].as_str(), Some(path), "{name}: {probe}");
            assert_eq!(s.resolve_port(&get["port"]), port, "{name}: {probe} port");
        }
        let listen = &s.env(&image)["SESAME_LISTEN"];
        assert_eq!(port_of(listen), port, "{name}: SESAME_LISTEN {listen}");
        assert_eq!(
            image.exposed(),
            vec![port],
            "{name}: the Containerfile's EXPOSE"
        );
        assert_eq!(port_of(&image.env()["SESAME_LISTEN"]), port, "image ENV");
        let labels = &s.one("Deployment").yaml["spec"]["template"]["metadata"]["labels"];
        for service in s.all("Service") {
            for p in service.yaml["spec"]["ports"].as_vec().unwrap() {
                assert_eq!(s.resolve_port(&p["targetPort"]), port, "{name}: targetPort");
            }
            for (k, v) in service.yaml["spec"]["selector"].as_hash().unwrap() {
                assert_eq!(&labels[k.as_str().unwrap()], v, "{name}: Service selector");
            }
        }
    }
}

#[tokio::test]
async fn every_sesame_variable_in_the_manifests_is_one_check_config_accepts() {
    let image = image();
    for name in SHAPES {
        let s = shape(name);
        let env = s.env(&image);
        for doc in s.all("ConfigMap").into_iter().chain(s.all("Secret")) {
            for (key, value) in doc.variables() {
                assert!(key.starts_with("SESAME_"), "{name}: {key} is no setting");
                assert!(
                    env.contains_key(&key),
                    "{name}: {key} never reaches the pod"
                );
                if doc.kind() == "Secret" {
                    assert!(
                        value.contains(PLACEHOLDER),
                        "{name}: {key} has a real value"
                    );
                }
            }
        }
        let env = usable(&env, "sqlite:///data/sesame.db", "smtp://127.0.0.1:2525");
        let (ok, stdout, stderr) = check_config(&env).await;
        assert!(ok, "{name}: check-config refused the manifests: {stderr}");
        let seen: toml::Value = toml::from_str(&stdout).unwrap();
        assert_eq!(seen["mode"].as_str(), Some("production"), "{name}");
        let listen = seen["listen"].as_str().unwrap();
        assert_eq!(
            port_of(listen),
            s.container_port(),
            "{name}: listen {listen}"
        );
        let shutdown = seen["ops"]["shutdown_timeout_seconds"]
            .as_integer()
            .unwrap();
        let grace = s.pod()["terminationGracePeriodSeconds"].as_i64().unwrap();
        let pause = i64::try_from(s.pre_stop_seconds()).unwrap();
        assert!(
            grace > shutdown + pause,
            "{name}: grace period {grace} s, shutdown {shutdown} s after a {pause} s pause"
        );
    }
}

#[tokio::test]
async fn check_config_names_a_variable_the_manifests_could_misspell() {
    // What the test above relies on: an unknown SESAME_ name fails check-config.
    let s = shape("sqlite");
    let mut env = usable(
        &s.env(&image()),
        "sqlite:///data/sesame.db",
        "smtp://127.0.0.1:2525",
    );
    let value = env.remove("SESAME_ISSUER").unwrap();
    env.insert("SESAME_ISSUER_URL".into(), value);
    let (ok, _, stderr) = check_config(&env).await;
    assert!(!ok, "a misspelt variable was accepted");
    assert!(stderr.contains("SESAME_ISSUER_URL"), "{stderr}");
}

#[tokio::test]
async fn the_containerfile_builds_with_its_commit_and_runs_the_binary_as_a_non_root_user() {
    let image = image();
    let build_rs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/build.rs")).unwrap();
    assert!(build_rs.contains(r#"env::var("BUILD_COMMIT")"#));
    assert!(
        image.text.contains("ARG BUILD_COMMIT"),
        "no BUILD_COMMIT build arg"
    );
    assert!(
        image
            .text
            .lines()
            .any(|l| l.contains("BUILD_COMMIT=") && l.contains("cargo build")),
        "the build does not pass BUILD_COMMIT to cargo"
    );
    assert!(
        image.text.matches("\nFROM ").count() >= 2,
        "a multi-stage build"
    );
    let user = image.args("USER").last().copied().unwrap();
    let uid: i64 = user
        .split(':')
        .next()
        .unwrap()
        .parse()
        .expect("a numeric user");
    assert_ne!(uid, 0, "the image runs as root");
    assert_eq!(image.exec_form("ENTRYPOINT"), vec!["sesame"]);
    for name in SHAPES {
        let s = shape(name);
        let security = &s.pod()["securityContext"];
        assert_eq!(security["runAsNonRoot"].as_bool(), Some(true), "{name}");
        assert_eq!(
            security["runAsUser"].as_i64(),
            Some(uid),
            "{name}: runAsUser"
        );
    }
    let mut commands = vec![image.exec_form("CMD")];
    for name in SHAPES {
        let args = shape(name).container()["args"].clone();
        if let Some(args) = args.as_vec() {
            commands.push(args.iter().map(|a| a.as_str().unwrap().into()).collect());
        }
    }
    for args in commands {
        assert_eq!(args, vec!["serve"], "the container serves");
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = sesame_command(dir.path());
        let out = cmd.args(&args).arg("--help").output().await.unwrap();
        assert!(out.status.success(), "sesame {args:?} is not a command");
    }
}

#[test]
fn the_sqlite_shape_is_one_replica_on_a_volume_and_postgres_several_on_a_secret_url() {
    let image = image();
    let s = shape("sqlite");
    let spec = &s.one("Deployment").yaml["spec"];
    assert_eq!(spec["replicas"].as_i64(), Some(1), "SQLite has one writer");
    assert_eq!(spec["strategy"]["type"].as_str(), Some("Recreate"));
    let (mount, _) = sqlite_data_mount(&s, &image);
    assert!(!mount.is_empty());

    let s = shape("postgres");
    let spec = &s.one("Deployment").yaml["spec"];
    assert!(spec["replicas"].as_i64().unwrap() > 1, "several replicas");
    assert_eq!(spec["strategy"]["type"].as_str(), Some("RollingUpdate"));
    let url = &s.named("Secret", "sesame-secrets").variables()["SESAME_DATABASE_URL"];
    assert!(url.starts_with("postgres://"), "{url}");
    assert_eq!(&s.env(&image)["SESAME_DATABASE_URL"], url);
}

/// The SQLite shape's database file lives on the mount of a PersistentVolumeClaim of the
/// shape: that mount's path, and the file's path below it.
fn sqlite_data_mount(s: &Shape, image: &Image) -> (String, String) {
    let url = s.env(image)["SESAME_DATABASE_URL"].clone();
    let path = url
        .strip_prefix("sqlite://")
        .expect("a sqlite URL")
        .to_string();
    let pod = s.pod();
    for m in s.container()["volumeMounts"].as_vec().unwrap() {
        let mount = m["mountPath"].as_str().unwrap();
        let Some(rest) = path.strip_prefix(&format!("{mount}/")) else {
            continue;
        };
        let volume = pod["volumes"]
            .as_vec()
            .unwrap()
            .iter()
            .find(|v| v["name"] == m["name"])
            .unwrap();
        let claim = volume["persistentVolumeClaim"]["claimName"].as_str();
        let claim = claim.unwrap_or_else(|| panic!("{mount} is not a volume claim"));
        s.named("PersistentVolumeClaim", claim);
        return (mount.to_string(), rest.to_string());
    }
    panic!("{path} is on no volume: the database would not survive a restart")
}

/// Starts the binary with a shape's environment (the listen address on 127.0.0.1 and a
/// free port, the database `db_url`) and GETs the probe paths the manifest names.
async fn serves_its_probes(s: &Shape, db_url: &str) {
    let smtp = SmtpSink::start().await;
    let mut env = usable(&s.env(&image()), db_url, &smtp.url());
    env.remove("SESAME_LISTEN");
    env.remove("SESAME_DATABASE_URL");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = ServerProcess::start(db_url, &env).await;
    let http = reqwest::Client::new();
    for probe in ["livenessProbe", "readinessProbe"] {
        let path = s.container()[probe]["httpGet"]["path"].as_str().unwrap();
        let res = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}: {probe} {path}\n{}",
            s.name,
            server.stderr_text()
        );
    }
}

#[tokio::test]
async fn the_binary_started_with_the_sqlite_shape_answers_its_probes() {
    let s = shape("sqlite");
    let (_, file) = sqlite_data_mount(&s, &image());
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/{file}", data.path().display());
    serves_its_probes(&s, &url).await;
    assert!(
        data.path().join(&file).exists(),
        "the database is on the volume"
    );
}

#[tokio::test]
async fn the_binary_started_with_the_postgres_shape_answers_its_probes() {
    // On the test backend's database: PostgreSQL with SESAME_TEST_BACKEND=postgres.
    let db = TestDb::new().await;
    serves_its_probes(&shape("postgres"), &db.url).await;
}
