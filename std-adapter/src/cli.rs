//! The `authcore` command line: subcommand dispatch.

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    match args.first().map(String::as_str) {
        Some("--help") | Some("-h") | None => {
            println!("{USAGE}");
            0
        }
        Some(other) => {
            eprintln!("authcore: unknown command '{other}'\n{USAGE}");
            2
        }
    }
}

const USAGE: &str = "usage: authcore <command> [options]

commands:
  packages    list the security packages and their limits";
