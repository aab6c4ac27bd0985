import json,sys,collections
p=json.load(open(sys.argv[1])); target=sys.argv[2]
nodes={n['id']:n for n in p['nodes']}
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
dt=collections.Counter()
for s,d in zip(p['samples'],p['timeDeltas']): dt[s]+=d
chains=collections.Counter()
for nid,t in dt.items():
    if nodes[nid]['callFrame']['functionName']!=target: continue
    chain=[]; x=parent.get(nid)
    while x is not None and len(chain)<12:
        cf=nodes[x]['callFrame']; chain.append((cf['functionName'] or '(anon)')+'@'+cf['url'].split('/')[-1]+':'+str(cf['lineNumber'])); x=parent.get(x)
    chains[' < '.join(chain)]+=t
for k,v in chains.most_common(8): print(f'{v/1000:8.0f}  {k}\n')
