// Child process of the benchmarks: runs one job against the engine (argv[2], JSON) and prints
// its figures as JSON on the last line. Started with --expose-gc so memory is measured settled.
// The shim must be in place before engineJobs loads the tree (which requires 'vscode').
import './lib/useVscodeShim';
import { runJob, type Job } from './lib/engineJobs';

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
runJob(job).then(
  (figures) => {
    process.stdout.write(`\n${JSON.stringify(figures)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
