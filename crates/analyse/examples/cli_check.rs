#[path = "../../cli/src/commands/analyse.rs"]
mod analyse;
// analyse.rs prints through the binary's exit module (a closed pipe ends quietly); only its
// printing is used here.
#[allow(dead_code, unused_macros, unused_imports)]
#[path = "../../cli/src/exit.rs"]
mod exit;
use clap::Parser;
#[derive(Parser)]
struct Cli {
    #[arg(long, default_value_os_t = khabar_analyse::default_gazetteer_dir())]
    gazetteer_dir: std::path::PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}
#[derive(clap::Subcommand)]
enum Cmd {
    Analyse(analyse::AnalyseArgs),
    EvalAnalyse(analyse::EvalAnalyseArgs),
    Data(analyse::DataArgs),
}
fn main() -> anyhow::Result<()> {
    let c = Cli::parse();
    match &c.cmd {
        Cmd::Analyse(a) => analyse::run_analyse(a, &c.gazetteer_dir),
        Cmd::EvalAnalyse(a) => analyse::run_eval_analyse(a, &c.gazetteer_dir),
        Cmd::Data(a) => analyse::run_data(a, &c.gazetteer_dir),
    }
}
