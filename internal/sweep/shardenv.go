package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// The environment variables ShardFromEnv reads.
const (
	// Slurm job arrays (sbatch --array=A-B): the task's index and the
	// array's smallest, largest index and task count.
	EnvSlurmTaskID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmTaskMax   = "SLURM_ARRAY_TASK_MAX"
	EnvSlurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	// Kubernetes Indexed Jobs: the pod's completion index, from 0.
	EnvJobCompletionIndex = "JOB_COMPLETION_INDEX"
)

// IsAutoShard reports whether a --shard value asks for ShardFromEnv:
// "auto" or "auto/N".
func IsAutoShard(spec string) bool {
	return spec == "auto" || strings.HasPrefix(spec, "auto/")
}

// ShardFromEnv resolves --shard auto or auto/N from a scheduler's
// environment, read through getenv (os.Getenv in the command):
//
//   - a Slurm job array task: K = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1,
//     N = SLURM_ARRAY_TASK_COUNT (or _MAX - _MIN + 1); the array must be
//     a range without a step (--array=1-64 or 0-63);
//   - a Kubernetes Indexed Job pod: K = JOB_COMPLETION_INDEX + 1, and N
//     from auto/N (the Job's spec.completions), which Kubernetes does not
//     put in the pod's environment.
//
// With auto/N under Slurm, N must equal the array's count. It refuses
// with an error that says what to set when neither scheduler's variables
// are set, or both are.
func ShardFromEnv(spec string, getenv func(string) string) (Shard, error) {
	if !IsAutoShard(spec) {
		return Shard{}, fmt.Errorf("--shard %q: not auto or auto/N", spec)
	}
	given := 0
	if n, ok := strings.CutPrefix(spec, "auto/"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 1 {
			return Shard{}, fmt.Errorf("--shard %q: want auto or auto/N with N >= 1 the number of shards, e.g. auto/64", spec)
		}
		given = v
	}
	slurm, k8s := getenv(EnvSlurmTaskID), getenv(EnvJobCompletionIndex)
	switch {
	case slurm != "" && k8s != "":
		return Shard{}, fmt.Errorf("--shard %s: both %s (Slurm) and %s (Kubernetes) are set: give --shard K/N", spec, EnvSlurmTaskID, EnvJobCompletionIndex)
	case slurm != "":
		return slurmShard(spec, given, getenv)
	case k8s != "":
		idx, err := envInt(getenv, EnvJobCompletionIndex)
		if err != nil {
			return Shard{}, fmt.Errorf("--shard %s: %w", spec, err)
		}
		if given == 0 {
			return Shard{}, fmt.Errorf("--shard auto: %s=%d is set (a Kubernetes Indexed Job) but the shard count is not in the environment: give it as --shard auto/N, N the Job's spec.completions", EnvJobCompletionIndex, idx)
		}
		if idx < 0 || idx >= given {
			return Shard{}, fmt.Errorf("--shard %s: %s=%d is not in 0..%d: is the Job's spec.completions %d?", spec, EnvJobCompletionIndex, idx, given-1, given)
		}
		return Shard{K: idx + 1, N: given}, nil
	}
	return Shard{}, fmt.Errorf("--shard %s: neither %s (a Slurm job array task) nor %s (a Kubernetes Indexed Job pod) is set: run it under sbatch --array or an Indexed Job, or give --shard K/N", spec, EnvSlurmTaskID, EnvJobCompletionIndex)
}

// slurmShard resolves a Slurm array task's shard.
func slurmShard(spec string, given int, getenv func(string) string) (Shard, error) {
	id, err := envInt(getenv, EnvSlurmTaskID)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %s: %w", spec, err)
	}
	lo, err := envInt(getenv, EnvSlurmTaskMin)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %s: %w (Slurm sets it for every array task since 2015: is this a job array?)", spec, err)
	}
	n := 0
	if getenv(EnvSlurmTaskCount) != "" {
		if n, err = envInt(getenv, EnvSlurmTaskCount); err != nil {
			return Shard{}, fmt.Errorf("--shard %s: %w", spec, err)
		}
	}
	if getenv(EnvSlurmTaskMax) != "" {
		hi, err := envInt(getenv, EnvSlurmTaskMax)
		if err != nil {
			return Shard{}, fmt.Errorf("--shard %s: %w", spec, err)
		}
		switch {
		case hi < lo:
			return Shard{}, fmt.Errorf("--shard %s: %s=%d is below %s=%d", spec, EnvSlurmTaskMax, hi, EnvSlurmTaskMin, lo)
		case n == 0:
			n = hi - lo + 1
		case n != hi-lo+1:
			return Shard{}, fmt.Errorf("--shard %s: the job array has %d tasks from %d to %d: a step or a list (--array=1-64:2, 1,5,9) cannot be numbered as shards; use a range such as --array=1-%d, or --shard K/N", spec, n, lo, hi, n)
		}
	}
	if n == 0 {
		return Shard{}, fmt.Errorf("--shard %s: %s is set but neither %s nor %s: is this a job array?", spec, EnvSlurmTaskID, EnvSlurmTaskCount, EnvSlurmTaskMax)
	}
	if given != 0 && given != n {
		return Shard{}, fmt.Errorf("--shard %s: the Slurm job array has %d tasks, not %d", spec, n, given)
	}
	k := id - lo + 1
	if k < 1 || k > n {
		return Shard{}, fmt.Errorf("--shard %s: %s=%d is outside the array %d..%d", spec, EnvSlurmTaskID, id, lo, lo+n-1)
	}
	return Shard{K: k, N: n}, nil
}

// envInt reads a non-negative integer variable.
func envInt(getenv func(string) string, name string) (int, error) {
	s := getenv(name)
	if s == "" {
		return 0, fmt.Errorf("%s is not set", name)
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s=%q: want a non-negative integer", name, s)
	}
	return v, nil
}
