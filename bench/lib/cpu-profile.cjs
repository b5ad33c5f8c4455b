// Preloaded (NODE_OPTIONS=--require) into a benchmarked server when BENCH_SIGNUPS_CPU_PROF names a
// directory: Node 20 refuses --cpu-prof in NODE_OPTIONS, so the profiler is started here and the
// profile written when the process exits (the in-process inspector session answers synchronously).
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
