"""Grid over the SDG-target fusion weights, scored on the gold proposals and the probe set; writes docs/target_weight_sweep.md."""
import itertools, numpy as np, pandas as pd
from recommender import Recommender, RankingConfig
base=Recommender.open()  # the sweep re-ranks with each weight set; no rebuild is needed
gold=pd.read_csv('eval/gold_proposals.csv',dtype=str,keep_default_na=False)
probe=pd.read_csv('eval/probe_pairs.csv'); probe=probe[probe.catalogue=='sdg_targets']
def mrr(rec):
    out={}
    res=rec.recommend_many([{'text':t,'partner_country':c} for t,c in zip(gold.text,gold.partner_country)],top_k=169)
    for lang in ['en','ko']:
        rr=[]
        for r,ok,l in zip(res,gold.targets,gold.lang):
            if l!=lang: continue
            ids=[t['id'] for t in r['sdg_targets']]; rr.append(1/min(ids.index(x)+1 for x in ok.split(';')))
        out['gold_'+lang]=np.mean(rr)
    res=rec.recommend_many(probe['query'].tolist(),top_k=169)
    out['probe']=np.mean([1/([t['id'] for t in r['sdg_targets']].index(e)+1) for r,e in zip(res,probe.expected)])
    return out
rows=[]
for d,l,k,p in itertools.product([0.3,0.5,0.7],[0,0.1,0.2],[0,0.15,0.3],[0,0.25,0.5]):
    rec=base; rec.config=RankingConfig(target_weights={'dense':d,'lexical':l,'keyword':k,'precedent':p})
    m=mrr(rec); rows.append(dict(dense=d,lexical=l,keyword=k,precedent=p,**m))
df=pd.DataFrame(rows); df['mean']=df[['gold_en','gold_ko','probe']].mean(axis=1)
print(df.sort_values('mean',ascending=False).head(12).to_string()); print(df[(df.dense==0.5)&(df.lexical==0.1)&(df.keyword==0.15)&(df.precedent==0.25)].to_string())
open('docs/target_weight_sweep.md','w').write('# Target fusion weights\n\nMade by `python eval/sweep_target_weights.py`: MRR of the first acceptable target on the gold proposals (English, Korean) and on the 32 target pairs of the probe set, for a grid of weights. The shipped weights are the last table.\n\n## Best 12\n\n'+df.sort_values('mean',ascending=False).head(12).to_markdown(index=False,floatfmt='.3f')+'\n\n## Shipped (dense 0.5, lexical 0.1, keyword 0.15, precedent 0.25)\n\n'+df[(df.dense==0.5)&(df.lexical==0.1)&(df.keyword==0.15)&(df.precedent==0.25)].to_markdown(index=False,floatfmt='.3f')+'\n')
