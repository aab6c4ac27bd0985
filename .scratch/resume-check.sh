set -e
cd /work/main
rm -rf /tmp/r2 /tmp/r3
npx tsx functions/cli/main.ts --data /tmp/r3 rehearse --calendar msr-2021 --providers 20 --seed 1 --json 2>/dev/null > /tmp/r3.json
(npx tsx functions/cli/main.ts --data /tmp/r2 rehearse --calendar msr-2021 --providers 20 --seed 1 --interactive > /tmp/r2.out 2> /tmp/r2.err &)
for i in $(seq 1 60); do [ -f /tmp/r2/runtime.json ] && break; sleep 1; done
npx tsx functions/cli/main.ts --data /tmp/r2 clock advance --to ${1:-2020-09-13} 2>&1 | grep -v "npm warn"
P=$(python3 -c "import json; print(json.load(open('/tmp/r2/runtime.json'))['pid'])")
kill -INT $P
while kill -0 $P 2>/dev/null; do sleep 0.5; done
npx tsx functions/cli/main.ts --data /tmp/r2 rehearse --resume --json 2>/tmp/r2b.err > /tmp/r2.json
grep -v "npm warn" /tmp/r2b.err | grep -v "^\[" | tail -3
python3 - <<'PY'
import json
a=json.load(open('/tmp/r3.json')); b=json.load(open('/tmp/r2.json'))
for k in ['emails','applications','deadlinesMissed','contracted','betweenMilestones']:
    print(k, a[k]==b[k])
    if a[k]!=b[k]: print('  ', a[k], '\n  ', b[k])
for x,y in zip(a['milestones'], b['milestones']):
    if x['emails']!=y['emails']: print(x['stepId'], x['emails'], y['emails'])
print(a['providerPages'], b['providerPages'])
PY
