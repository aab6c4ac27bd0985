import json,sys,collections
p=json.load(open(sys.argv[1]))
nodes={n['id']:n for n in p['nodes']}
self_time=collections.Counter()
# samples & timeDeltas
dt=collections.Counter()
for s,d in zip(p['samples'],p['timeDeltas']):
    dt[s]+=d
total=sum(dt.values())
byfn=collections.Counter()
byfile=collections.Counter()
for nid,t in dt.items():
    cf=nodes[nid]['callFrame']
    byfn[(cf['functionName'] or '(anon)')+' '+cf['url'].split('/node_modules/')[-1][-60:]+':'+str(cf['lineNumber'])]+=t
    u=cf['url']
    key=u.split('/node_modules/')[-1].split('/')[0] if '/node_modules/' in u else (u[-50:] or cf['functionName'])
    if '/node_modules/@' in u: key='/'.join(u.split('/node_modules/')[-1].split('/')[:2])
    byfile[key]+=t
print('total ms', total/1000)
for k,v in byfile.most_common(25): print(f'{v/1000:10.0f} {k}')
print()
for k,v in byfn.most_common(30): print(f'{v/1000:10.0f} {k}')
