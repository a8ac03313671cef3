#!/bin/bash
# GNU parallel: 8 shards of the sweep, as many at once as there are cores;
# add -S host1,host2 (ssh, with tcpsim and s.yaml on each) to spread them
# over machines. Then merge them into the report.
parallel tcpsim sweep s.yaml --vary link.loss=0,1%,5% --seeds 200 --workers 1 \
    --shard {}/8 --out shard-{}.jsonl ::: $(seq 1 8)
tcpsim merge shard-*.jsonl
