# COINr's regeneration timed on its ASEM example, beside `cargo bench --bench sensitivity`:
#
#   Rscript benches/coinr_regen.R [RUNS]
#
# Prints the mean seconds of one `Regen()` of the whole coin and of one `Regen(from = ...)` from
# Treat, Normalise and Aggregate, over RUNS calls each (default 20), after one warm-up call: the
# elapsed time and the processor time (user + system, which a machine busy with other work
# inflates less).
suppressPackageStartupMessages(library(COINr))
args <- commandArgs(trailingOnly = TRUE)
runs <- if (length(args) > 0) as.integer(args[1]) else 20L
coin <- build_example_coin(quietly = TRUE)
time_regen <- function(from) {
  invisible(Regen(coin, from = from, quietly = TRUE))
  t <- system.time(for (i in seq_len(runs)) Regen(coin, from = from, quietly = TRUE))
  c(elapsed = unname(t["elapsed"]), cpu = unname(t["user.self"] + t["sys.self"])) / runs
}
cat(sprintf("COINr %s, R %s, %d runs each\n", packageVersion("COINr"), getRversion(), runs))
for (from in list(NULL, "Treat", "Normalise", "Aggregate")) {
  label <- if (is.null(from)) "full" else from
  t <- time_regen(from)
  cat(sprintf("Regen %-9s %.4f s elapsed, %.4f s processor\n", label, t[["elapsed"]], t[["cpu"]]))
}
