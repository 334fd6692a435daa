//! Reading the files in deploy/: the Kubernetes documents of each shape (a folder under
//! deploy/kubernetes), the environment they give Sesame's container, and the final stage
//! of deploy/Containerfile. Only what the deploy checks need; anything else is a panic
//! that names the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use yaml_rust2::{Yaml, YamlLoader};

pub type Env = BTreeMap<String, String>;

pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

/// Every `.yaml`/`.yml` file under `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// One YAML document and the file it came from.
pub struct Doc {
    pub file: PathBuf,
    pub yaml: Yaml,
}

impl Doc {
    pub fn kind(&self) -> &str {
        self.yaml["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.yaml["metadata"]["name"].as_str().unwrap_or_default()
    }

    /// A ConfigMap's `data`, or a Secret's `stringData` and (decoded) `data`.
    pub fn variables(&self) -> Env {
        let mut out = Env::new();
        let mut add = |section: &str, decode: bool| {
            let Some(map) = self.yaml[section].as_hash() else {
                return;
            };
            for (k, v) in map {
                let key = k.as_str().unwrap().to_string();
                let value = v.as_str().unwrap_or_else(|| {
                    panic!(
                        "{}: {section}.{key} is not a string (Kubernetes refuses it)",
                        self.file.display()
                    )
                });
                let value = if decode {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(value)
                        .unwrap();
                    String::from_utf8(bytes).unwrap()
                } else {
                    value.to_string()
                };
                out.insert(key, value);
            }
        };
        match self.kind() {
            "ConfigMap" => add("data", false),
            "Secret" => {
                add("data", true);
                add("stringData", false);
            }
            other => panic!("{other} holds no variables"),
        }
        out
    }
}

pub fn load(file: &Path) -> Vec<Doc> {
    let text = std::fs::read_to_string(file).unwrap();
    let docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}", file.display()));
    docs.into_iter()
        .filter(|y| !y.is_null())
        .map(|yaml| Doc {
            file: file.to_path_buf(),
            yaml,
        })
        .collect()
}

/// One Kubernetes shape: the documents of one folder under deploy/kubernetes.
pub struct Shape {
    pub name: &'static str,
    pub dir: PathBuf,
    pub docs: Vec<Doc>,
}

pub fn shape(name: &'static str) -> Shape {
    let dir = deploy_dir().join("kubernetes").join(name);
    let docs = yaml_files(&dir).iter().flat_map(|f| load(f)).collect();
    Shape { name, dir, docs }
}

impl Shape {
    pub fn all(&self, kind: &str) -> Vec<&Doc> {
        self.docs.iter().filter(|d| d.kind() == kind).collect()
    }

    pub fn one(&self, kind: &str) -> &Doc {
        let all = self.all(kind);
        assert_eq!(all.len(), 1, "{}: one {kind} expected", self.name);
        all[0]
    }

    pub fn named(&self, kind: &str, name: &str) -> &Doc {
        self.docs
            .iter()
            .find(|d| d.kind() == kind && d.name() == name)
            .unwrap_or_else(|| panic!("{}: no {kind} named {name}", self.name))
    }

    pub fn pod(&self) -> &Yaml {
        &self.one("Deployment").yaml["spec"]["template"]["spec"]
    }

    pub fn container(&self) -> &Yaml {
        let containers = self.pod()["containers"].as_vec().unwrap();
        assert_eq!(containers.len(), 1, "{}: one container", self.name);
        &containers[0]
    }

    /// The container's one port.
    pub fn container_port(&self) -> i64 {
        let ports = self.container()["ports"].as_vec().unwrap();
        assert_eq!(ports.len(), 1, "{}: one container port", self.name);
        ports[0]["containerPort"].as_i64().unwrap()
    }

    /// A probe's or a Service's port: a number, or the name of a container port.
    pub fn resolve_port(&self, port: &Yaml) -> i64 {
        if let Some(n) = port.as_i64() {
            return n;
        }
        let name = port
            .as_str()
            .unwrap_or_else(|| panic!("{}: port {port:?}", self.name));
        self.container()["ports"]
            .as_vec()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str() == Some(name))
            .and_then(|p| p["containerPort"].as_i64())
            .unwrap_or_else(|| panic!("{}: no container port named {name}", self.name))
    }

    /// The container's environment: the image's, then `envFrom`, then `env`.
    pub fn env(&self, image: &Image) -> Env {
        let mut env = image.env();
        let c = self.container();
        for from in c["envFrom"].as_vec().into_iter().flatten() {
            let (kind, reference) = if from["configMapRef"].is_hash() {
                ("ConfigMap", &from["configMapRef"])
            } else {
                ("Secret", &from["secretRef"])
            };
            let name = reference["name"].as_str().unwrap();
            env.extend(self.named(kind, name).variables());
        }
        for var in c["env"].as_vec().into_iter().flatten() {
            let name = var["name"].as_str().unwrap().to_string();
            let value = if let Some(v) = var["value"].as_str() {
                v.to_string()
            } else {
                let from = &var["valueFrom"];
                let (kind, r) = if from["configMapKeyRef"].is_hash() {
                    ("ConfigMap", &from["configMapKeyRef"])
                } else {
                    ("Secret", &from["secretKeyRef"])
                };
                let doc = self.named(kind, r["name"].as_str().unwrap());
                let key = r["key"].as_str().unwrap();
                doc.variables()
                    .remove(key)
                    .unwrap_or_else(|| panic!("{}: {kind} has no {key}", self.name))
            };
            env.insert(name, value);
        }
        env
    }

    /// Seconds the preStop hook sleeps (`["sleep", "N"]`), 0 without one.
    pub fn pre_stop_seconds(&self) -> u64 {
        let hook = &self.container()["lifecycle"]["preStop"];
        if hook.is_badvalue() {
            return 0;
        }
        let command: Vec<&str> = hook["exec"]["command"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        match command.as_slice() {
            ["sleep", n] => n.parse().unwrap(),
            other => panic!(
                "{}: a preStop hook this test understands: {other:?}",
                self.name
            ),
        }
    }
}

/// The final stage of deploy/Containerfile, one instruction a line.
pub struct Image {
    pub text: String,
    pub stage: Vec<(String, String)>,
}

pub fn image() -> Image {
    let text = std::fs::read_to_string(deploy_dir().join("Containerfile")).unwrap();
    let joined = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("\\\n", " ");
    let mut stage = Vec::new();
    for line in joined.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (instr, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let instr = instr.to_ascii_uppercase();
        if instr == "FROM" {
            stage.clear();
        }
        stage.push((instr, args.trim().to_string()));
    }
    Image { text, stage }
}

impl Image {
    pub fn args(&self, instr: &str) -> Vec<&str> {
        self.stage
            .iter()
            .filter(|(i, _)| i == instr)
            .map(|(_, a)| a.as_str())
            .collect()
    }

    /// The last `instr` in exec form (a JSON array).
    pub fn exec_form(&self, instr: &str) -> Vec<String> {
        let args = self.args(instr);
        let last = args.last().unwrap_or_else(|| panic!("no {instr}"));
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{instr} {last}: not exec form: {e}"))
    }

    pub fn env(&self) -> Env {
        let mut env = Env::new();
        for args in self.args("ENV") {
            let words: Vec<&str> = args.split_whitespace().collect();
            if words[0].contains('=') {
                for w in words {
                    let (k, v) = w.split_once('=').unwrap();
                    env.insert(k.to_string(), v.trim_matches('"').to_string());
                }
            } else {
                env.insert(words[0].to_string(), words[1..].join(" "));
            }
        }
        env
    }

    pub fn exposed(&self) -> Vec<i64> {
        self.args("EXPOSE")
            .iter()
            .flat_map(|a| a.split_whitespace())
            .map(|p| p.trim_end_matches("/tcp").parse().unwrap())
            .collect()
    }
}

pub fn port_of(listen: &str) -> i64 {
    listen.rsplit_once(':').unwrap().1.parse().unwrap()
}
