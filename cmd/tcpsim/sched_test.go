package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"tcpsim/internal/testenv"
)

// The recipes docs/sweeps.md shows, shipped in deploy/ and run here.
const (
	slurmRecipe    = "deploy/slurm/sweep.sbatch"
	parallelRecipe = "deploy/parallel/sweep.sh"
	k8sRecipe      = "deploy/kubernetes/sweep-job.yaml"
	recipeScenario = "../../scenarios/udp-clean.yaml" // stands for s.yaml
)

// recipe returns a shipped recipe, after checking that docs/sweeps.md
// shows exactly it: the doc's fenced block after the link to the file is
// the file, byte for byte.
func recipe(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/sweeps.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "](../"+path+")")
	if !ok {
		t.Fatalf("docs/sweeps.md does not link to %s", path)
	}
	_, rest, _ = strings.Cut(rest, "```")
	_, rest, _ = strings.Cut(rest, "\n")
	block, _, _ := strings.Cut(rest, "```")
	if block != string(b) {
		t.Fatalf("docs/sweeps.md's block after its link to %s is not the file:\n%s\nwant\n%s", path, block, b)
	}
	return string(b)
}

// TestDocsShowShippedRecipes: the doc shows the three recipes as shipped.
func TestDocsShowShippedRecipes(t *testing.T) {
	for _, p := range []string{slurmRecipe, parallelRecipe, k8sRecipe} {
		recipe(t, p)
	}
}

// unshardedArgs returns the arguments of the sweep a recipe's command
// line shards (from "sweep", without --shard, --out and --workers, up to
// GNU parallel's :::). Continuation lines are joined; quotes are removed.
func unshardedArgs(t *testing.T, script string) []string {
	t.Helper()
	joined := strings.ReplaceAll(script, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		_, cmd, ok := strings.Cut(line, "tcpsim sweep ")
		if !ok || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, ":::")
		args := []string{"sweep"}
		fields := strings.Fields(cmd)
		for i := 0; i < len(fields); i++ {
			switch fields[i] {
			case "--shard", "--out", "--workers":
				i++
				continue
			}
			args = append(args, strings.Trim(fields[i], `"'`))
		}
		return args
	}
	t.Fatalf("no tcpsim sweep command line in\n%s", script)
	return nil
}

// indexedJob is what TestKubernetesIndexedJob reads of the shipped Job.
type indexedJob struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Completions    int    `yaml:"completions"`
		CompletionMode string `yaml:"completionMode"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
					Env     []struct {
						Name      string `yaml:"name"`
						ValueFrom struct {
							FieldRef struct {
								FieldPath string `yaml:"fieldPath"`
							} `yaml:"fieldRef"`
						} `yaml:"valueFrom"`
					} `yaml:"env"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// TestKubernetesIndexedJob plays the shipped Indexed Job without a
// cluster: for every completion index it sets JOB_COMPLETION_INDEX as
// Kubernetes does, expands $(VAR) in the args as Kubernetes does, maps
// the volumes to folders, and runs the container's command; the merged
// shards must equal the unsharded sweep byte for byte.
func TestKubernetesIndexedJob(t *testing.T) {
	var job indexedJob
	if err := yaml.Unmarshal([]byte(recipe(t, k8sRecipe)), &job); err != nil {
		t.Fatal(err)
	}
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || job.Spec.Completions < 2 || len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%s: want an Indexed Job of one container and at least 2 completions, got %+v", k8sRecipe, job)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 1 || c.Command[0] != "tcpsim" {
		t.Fatalf("command %q, want [tcpsim]", c.Command)
	}
	const annotation = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
	if len(c.Env) != 1 || c.Env[0].Name != "JOB_COMPLETION_INDEX" || c.Env[0].ValueFrom.FieldRef.FieldPath != annotation {
		t.Fatalf("env %+v, want JOB_COMPLETION_INDEX from %s", c.Env, annotation)
	}
	n := job.Spec.Completions
	if !strings.Contains(strings.Join(c.Args, " "), fmt.Sprintf("--shard auto/%d ", n)) {
		t.Fatalf("args %q lack --shard auto/%d (spec.completions)", c.Args, n)
	}
	dir := t.TempDir()
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = filepath.Join(dir, m.Name)
		if err := os.MkdirAll(mounts[m.MountPath], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile(recipeScenario)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mounts["/scenario"], "s.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	local := func(arg string) string {
		for m, d := range mounts {
			if rest, ok := strings.CutPrefix(arg, m+"/"); ok {
				return filepath.Join(d, rest)
			}
		}
		return arg
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	for i := range n {
		t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(i))
		var args []string
		for _, a := range c.Args {
			args = append(args, local(strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i))))
		}
		if out, errs, code := runCmd(args...); code != 0 {
			t.Fatalf("pod %d: tcpsim %q: exit %d\n%s%s", i, args, code, out, errs)
		}
	}
	shards, _ := filepath.Glob(filepath.Join(mounts["/out"], "shard-*.jsonl"))
	if len(shards) != n {
		t.Fatalf("%d shards written, want %d: %q", len(shards), n, shards)
	}
	for _, s := range shards {
		if st, err := os.Stat(s); err != nil || st.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s: not readable by group and others (umask 022): %v", s, st.Mode())
		}
	}
	merged, errs, code := runCmd(append([]string{"merge"}, shards...)...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	var whole []string
	for _, a := range unshardedArgs(t, "tcpsim "+strings.Join(c.Args, " ")) {
		whole = append(whole, local(a))
	}
	want, errs, code := runCmd(whole...)
	if code != 0 {
		t.Fatalf("tcpsim %q: exit %d: %s", whole, code, errs)
	}
	if merged != want {
		t.Fatalf("the merged shards differ from the unsharded sweep:\n%s\nwant\n%s", merged, want)
	}
	// Outside a Job, the same command line refuses and says why.
	t.Setenv("JOB_COMPLETION_INDEX", "")
	if _, errs, code := runCmd(local(c.Args[0]), local(c.Args[1]), "--shard", "auto/8", "--out", filepath.Join(dir, "x.jsonl")); code != 2 || !strings.Contains(errs, "neither SLURM_ARRAY_TASK_ID") {
		t.Errorf("--shard auto/8 outside a Job: exit %d, %q; want exit 2 naming the variables", code, errs)
	}
}

// schedTools makes sure the commands are installed: where one is missing
// and the test runs as root under CI (CI=true, as .ci/run), it installs
// the Debian packages with apt-get; otherwise, or when that fails, it
// skips with a message.
func schedTools(t *testing.T, packages []string, cmds ...string) {
	t.Helper()
	missing := func() []string {
		var m []string
		for _, c := range cmds {
			if _, err := exec.LookPath(c); err != nil {
				m = append(m, c)
			}
		}
		return m
	}
	m := missing()
	if len(m) == 0 {
		return
	}
	if os.Getuid() != 0 || os.Getenv("CI") != "true" {
		t.Skipf("%s not installed, and not root under CI (CI=true) to apt-get install %s: skipped", strings.Join(m, ", "), strings.Join(packages, " "))
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skipf("%s not installed and no apt-get to install %s: skipped", strings.Join(m, ", "), strings.Join(packages, " "))
	}
	t.Logf("installing %s with apt-get", strings.Join(packages, " "))
	cmd := exec.Command("apt-get", append([]string{"install", "-y", "-qq", "--no-install-recommends"}, packages...)...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		exec.Command("apt-get", "update", "-qq").Run()
		cmd = exec.Command("apt-get", append([]string{"install", "-y", "-qq", "--no-install-recommends"}, packages...)...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out2, err2 := cmd.CombinedOutput(); err2 != nil {
			t.Skipf("could not install %s (%v, then %v): skipped\n%s%s", strings.Join(packages, " "), err, err2, out, out2)
		}
	}
	if m := missing(); len(m) > 0 {
		t.Skipf("%s still missing after installing %s: skipped", strings.Join(m, ", "), strings.Join(packages, " "))
	}
}

// schedDir makes the test's folder: a bin/ with a fresh tcpsim, and s.yaml.
func schedDir(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build tcpsim with")
	}
	if out, err := exec.Command(gobin, "build", "-o", filepath.Join(bin, "tcpsim"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src, err := os.ReadFile(recipeScenario)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, bin + string(os.PathListSeparator) + os.Getenv("PATH")
}

// runIn runs a command in dir with env added, within timeout, and returns
// its stdout; it fails the test on a non-zero exit.
func runIn(t *testing.T, dir string, env []string, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, lookIn(env, name), args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\nstdout:\n%.3000s\nstderr:\n%.3000s", name, args, err, out.String(), errb.String())
	}
	return out.String()
}

// compareWithUnsharded checks that merged is what the unsharded sweep of
// the recipe prints, byte for byte.
func compareWithUnsharded(t *testing.T, dir string, env []string, script, merged string) {
	t.Helper()
	args := unshardedArgs(t, script)
	want := runIn(t, dir, env, 5*time.Minute, "tcpsim", args...)
	if merged != want {
		t.Fatalf("the merged shards differ from tcpsim %q:\n%s\nwant\n%s", args, merged, want)
	}
	t.Logf("merged shards = tcpsim %s (%d bytes)", strings.Join(args, " "), len(want))
}

// TestGNUParallelRecipe runs the shipped GNU parallel script as it is
// (HOME is the test's folder, where parallel keeps its notes) and
// compares its merged report with the unsharded sweep.
func TestGNUParallelRecipe(t *testing.T) {
	testenv.SkipUnlessSched(t)
	script := recipe(t, parallelRecipe)
	schedTools(t, []string{"parallel"}, "parallel", "bash")
	if out, err := exec.Command("parallel", "--version").Output(); err != nil || !strings.Contains(string(out), "GNU parallel") {
		t.Skipf("parallel is not GNU parallel (moreutils'?): %v: skipped", err)
	}
	dir, path := schedDir(t)
	env := []string{"PATH=" + path, "HOME=" + dir}
	merged := runIn(t, dir, env, 5*time.Minute, "bash", abs(t, filepath.Join("../..", parallelRecipe)))
	compareWithUnsharded(t, dir, env, script, merged)
}

// daemon is a process the test started; stop ends it by its PID.
type daemon struct {
	name string
	cmd  *exec.Cmd
	log  string
}

// startDaemon starts a daemon in the foreground (so that its PID is the
// one started) and stops it, by that PID, when the test ends.
func startDaemon(t *testing.T, dir string, env []string, name string, args ...string) *daemon {
	t.Helper()
	d := &daemon{name: name, log: filepath.Join(dir, name+".out")}
	f, err := os.Create(d.log)
	if err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(name, args...)
	d.cmd.Dir, d.cmd.Env, d.cmd.Stdout, d.cmd.Stderr = dir, append(os.Environ(), env...), f, f
	if err := d.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer f.Close()
		d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Logf("%s (pid %d) did not stop within 15 s of SIGTERM: killed", name, d.cmd.Process.Pid)
			d.cmd.Process.Kill()
			<-done
		}
	})
	return d
}

// freePort returns a TCP port free on the loopback now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestSlurmJobArrayRecipe runs the shipped job array on a real Slurm:
// munged, slurmctld and slurmd started by the test with every key,
// socket, state, spool, log and PID file in its folder (nothing of the
// host's /etc/munge, /etc/slurm or /var), a single-node slurm.conf with
// no cgroups and no accounting, sbatch --wait of the script as shipped,
// then merge, compared with the unsharded sweep byte for byte. The
// daemons are stopped by their PIDs and the folder removed.
func TestSlurmJobArrayRecipe(t *testing.T) {
	testenv.SkipUnlessSched(t)
	script := recipe(t, slurmRecipe)
	schedTools(t, []string{"slurm-wlm", "munge"}, "munged", "slurmctld", "slurmd", "sbatch", "sinfo")
	dir, path := schedDir(t)
	for _, d := range []string{"state", "spool"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	key := make([]byte, 1024)
	rand.Read(key)
	if err := os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o400); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "munge.sock")
	startDaemon(t, dir, nil, "munged", "--foreground", "--force", "--key-file="+filepath.Join(dir, "munge.key"),
		"--socket="+sock, "--pid-file="+filepath.Join(dir, "munged.pid"),
		"--log-file="+filepath.Join(dir, "munged.log"), "--seed-file="+filepath.Join(dir, "munged.seed"))
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatalf("munged made no socket in 10 s:\n%s", readLog(filepath.Join(dir, "munged.out")))
		}
		time.Sleep(100 * time.Millisecond)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".")
	conf := filepath.Join(dir, "slurm.conf")
	if err := os.WriteFile(conf, []byte(slurmConf(dir, host, sock, freePort(t), freePort(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"SLURM_CONF=" + conf, "PATH=" + path}
	ctld := startDaemon(t, dir, env, "slurmctld", "-D", "-c", "-f", conf)
	slurmd := startDaemon(t, dir, env, "slurmd", "-D", "-f", conf, "-N", host)
	deadline := time.Now().Add(90 * time.Second)
	for {
		cmd := exec.Command("sinfo", "-h", "-o", "%t")
		cmd.Env = append(os.Environ(), env...)
		out, _ := cmd.Output()
		if strings.TrimSpace(string(out)) == "idle" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sinfo says %q after 90 s, want idle\nslurmctld:\n%s\nslurmd:\n%s", out, readLog(ctld.log), readLog(slurmd.log))
		}
		time.Sleep(500 * time.Millisecond)
	}
	start := time.Now()
	runIn(t, dir, env, 10*time.Minute, "sbatch", "--wait", abs(t, filepath.Join("../..", slurmRecipe)))
	t.Logf("sbatch --wait %s: %v", slurmRecipe, time.Since(start).Round(time.Second))
	shards, _ := filepath.Glob(filepath.Join(dir, "shard-*.jsonl"))
	if len(shards) != 8 {
		logs, _ := filepath.Glob(filepath.Join(dir, "tcpsim-sweep-*.log"))
		var b strings.Builder
		for _, l := range logs {
			b.WriteString(l + ":\n" + readLog(l))
		}
		t.Fatalf("%d shards, want 8:\n%s", len(shards), b.String())
	}
	merged := runIn(t, dir, env, 5*time.Minute, "tcpsim", append([]string{"merge"}, shards...)...)
	compareWithUnsharded(t, dir, env, script, merged)
}

// slurmConf is a single-node Slurm cluster's configuration, every path in
// dir: no cgroups (process tracking by /proc, no task plugin), no
// accounting, munge through the test's own socket.
func slurmConf(dir, host, munge string, ctldPort, slurmdPort int) string {
	return fmt.Sprintf(`# A single-node Slurm for tcpsim's recipe test; every path in the test's folder.
ClusterName=tcpsimtest
SlurmctldHost=%[2]s(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=%[4]d
SlurmdPort=%[5]d
StateSaveLocation=%[1]s/state
SlurmdSpoolDir=%[1]s/spool
SlurmctldPidFile=%[1]s/slurmctld.pid
SlurmdPidFile=%[1]s/slurmd.pid
SlurmctldLogFile=%[1]s/slurmctld.log
SlurmdLogFile=%[1]s/slurmd.log
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=%[3]s
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=%[2]s NodeAddr=127.0.0.1 CPUs=%[6]d State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`, dir, host, munge, ctldPort, slurmdPort, runtime.NumCPU())
}

// readLog returns the end of a log file for a failure message.
func readLog(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// abs returns path made absolute.
func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lookIn finds name in the PATH that env sets (exec.Command looks in the
// test's own), or returns name.
func lookIn(env []string, name string) string {
	for _, e := range env {
		if path, ok := strings.CutPrefix(e, "PATH="); ok {
			for _, d := range filepath.SplitList(path) {
				if st, err := os.Stat(filepath.Join(d, name)); err == nil && st.Mode().IsRegular() {
					return filepath.Join(d, name)
				}
			}
		}
	}
	return name
}
