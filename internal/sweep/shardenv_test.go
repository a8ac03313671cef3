package sweep

import (
	"strconv"
	"strings"
	"testing"
)

func TestShardFromEnv(t *testing.T) {
	for _, c := range []struct {
		name, spec string
		env        map[string]string
		want       Shard
		err        string // in the error; "" for none
	}{
		{"slurm 1-based", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_COUNT": "8"}, Shard{3, 8}, ""},
		{"slurm 0-based", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "63", "SLURM_ARRAY_TASK_COUNT": "64"}, Shard{1, 64}, ""},
		{"slurm last", "auto/64", map[string]string{"SLURM_ARRAY_TASK_ID": "63", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "63"}, Shard{64, 64}, ""},
		{"slurm count only", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "10", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "5"}, Shard{1, 5}, ""},
		{"slurm step", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{}, "a step or a list"},
		{"slurm count disagrees", "auto/4", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "8"}, Shard{}, "has 8 tasks, not 4"},
		{"slurm no min", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "8"}, Shard{}, "SLURM_ARRAY_TASK_MIN is not set"},
		{"slurm no count", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{}, "neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX"},
		{"slurm garbage", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "8"}, Shard{}, `SLURM_ARRAY_TASK_ID="x"`},
		{"kubernetes", "auto/16", map[string]string{"JOB_COMPLETION_INDEX": "0"}, Shard{1, 16}, ""},
		{"kubernetes last", "auto/16", map[string]string{"JOB_COMPLETION_INDEX": "15"}, Shard{16, 16}, ""},
		{"kubernetes past", "auto/16", map[string]string{"JOB_COMPLETION_INDEX": "16"}, Shard{}, "not in 0..15"},
		{"kubernetes no count", "auto", map[string]string{"JOB_COMPLETION_INDEX": "2"}, Shard{}, "--shard auto/N"},
		{"both", "auto/4", map[string]string{"JOB_COMPLETION_INDEX": "2", "SLURM_ARRAY_TASK_ID": "1"}, Shard{}, "both"},
		{"neither", "auto", nil, Shard{}, "neither SLURM_ARRAY_TASK_ID"},
		{"bad count", "auto/0", map[string]string{"JOB_COMPLETION_INDEX": "0"}, Shard{}, "auto/N with N >= 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ShardFromEnv(c.spec, func(k string) string { return c.env[k] })
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("error %v, want %v", err, c.want)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("got %v, %v; want an error with %q", got, err, c.err)
			case got != c.want:
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

// Every task of an array, whatever its first index, gets a distinct
// shard, and together they cover 1..N.
func TestShardFromEnvCoversArray(t *testing.T) {
	for _, lo := range []int{0, 1, 7} {
		const n = 9
		seen := map[int]bool{}
		for id := lo; id < lo+n; id++ {
			env := map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(id), "SLURM_ARRAY_TASK_MIN": strconv.Itoa(lo), "SLURM_ARRAY_TASK_MAX": strconv.Itoa(lo + n - 1), "SLURM_ARRAY_TASK_COUNT": strconv.Itoa(n)}
			s, err := ShardFromEnv("auto", func(k string) string { return env[k] })
			if err != nil || s.N != n || seen[s.K] {
				t.Fatalf("array from %d, task %d: %v, %v (seen %v)", lo, id, s, err, seen)
			}
			seen[s.K] = true
		}
	}
}
