//! The `authcore` command line.

fn main() {
    std::process::exit(authcore_std::cli::run(std::env::args().skip(1).collect()));
}
