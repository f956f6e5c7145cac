#!/usr/bin/env python3
"""COF rrsets as `xtask bench pdns` generates them (rows OFF..OFF+N of an N-row run):
`python3 bench/pdns_cof.py N [OFF] > F.cof`. Used to measure a bulk merge of a second file
overlapping half of the first (ARCHITECTURE.md, Passive DNS)."""
import sys
n=int(sys.argv[1]); off=int(sys.argv[2]) if len(sys.argv)>2 else 0
TLDS=["com","net","org","info","xyz"]; HOSTS=["www","mail","api","cdn"]
def ip_space(n): return min(max(n//4,256),(1<<24)-1)
def ip4(x): return "10.%d.%d.%d"%((x>>16)&255,(x>>8)&255,x&255)
out=sys.stdout
w=out.write
for i in range(off, off+n):
    owner="%s.d%d-p.%s"%(HOSTS[i%4], i//4, TLDS[(i//4)%5])
    m=i%10
    if m==0: mn,rd="NS","ns%d.dnshost%d.net"%(i%1000,i%47)
    elif m==1: mn,rd="CNAME","edge%d.cdn-p.net"%(i%5000)
    elif m==2: mn,rd="AAAA","2001:db8::%x:%x"%((i>>16)&0xffff,i&0xffff)
    else: mn,rd="A",ip4((i*2654435761)%ip_space(n))
    tf=1600000000+(i*7919%100000000); tl=tf+(i%1000000); c=1+i%100
    w('{"rrname":"%s","rrtype":"%s","rdata":"%s","time_first":%d,"time_last":%d,"count":%d,"sensor_id":"bench"}\n'%(owner,mn,rd,tf,tl,c))
