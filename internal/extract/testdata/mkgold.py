# Builds internal/extract/testdata/news_gold.json from hand-written lists of
# surface forms: every whole-word occurrence outside the excluded lines is
# annotated with the type given. Longest forms win where forms overlap.
import json, re, os, hashlib
# Run from the repository root: python3 internal/extract/testdata/mkgold.py
D=os.environ.get('MOSAIC_SHARED','../shared')+'/corpus/news/'
A = {
"000_acd89e220af594d6.txt": dict(
  exclude=["Join our new commenting forum","Join thought-provoking","View comments"],
  PER=["James Clapper","Clapper","Lizzie Dearden","Abu Bakr al-Baghdadi","Keith Vaz"],
  ORG=["Isis","Isil","Christian Science Monitor","EU","European Union","The Daily Telegraph","Home Office","Europol","Labour","Islamic State"],
  LOC=["England","US","London","UK","Brussels","Paris","Germany","Italy","Washington DC","Europe","South-east Asia","Bangladesh","Britain"],
  REL=[("James Clapper","title",None),("Keith Vaz","title",None),("Isis","located_in","England"),("Isis","located_in","UK")],
  ALIAS=[("Isil","Isis")]),
"001_4226a426c649080b.txt": dict(
  exclude=["(Image credit","Subscribe to The Week","Escape your echo chamber","SUBSCRIBE & SAVE","https://","Sign up","From our morning news briefing","To continue reading","Continue reading","Get unlimited","Cancel or pause","Already a subscriber","Not sure which email"],
  PER=["Gavin Williamson","Williamson","Abu Sayed Orakzai"],
  ORG=["Isis","Islamic State","IS-Khorasan","IS-K","The Independent"],
  LOC=["UK","Britain","Afghanistan","US","United Kingdom","Continental Europe"],
  REL=[("Gavin Williamson","title",None),("Gavin Williamson","visited","Afghanistan")],
  ALIAS=[("IS-Khorasan","IS-K")]),
"002_be3311bbdffb3deb.txt": dict(
  exclude=["Stay up to date","Notifications can be managed","Thank you for registering","Please refresh"],
  PER=["Lizzie Dearden","Ben Wallace","Wallace","David Anderson","Alistair Burt","Gilles de Kerchove","Patrick McGuinness","Mark Rowley"],
  ORG=["Isis","al-Qaeda","National Action","Royal United Services Institute","Rusi","MI5"],
  LOC=["UK","Westminster","Syria","Iraq","Europe","Middle East","Britain","Afghanistan","Libya","Egypt","Philippines","West"],
  REL=[("Ben Wallace","title",None),("Alistair Burt","title",None),("Patrick McGuinness","title",None),("Gilles de Kerchove","title",None),("David Anderson","title",None),("Mark Rowley","title",None)],
  ALIAS=[("Royal United Services Institute","Rusi")]),
"003_296454207db195b1.txt": dict(
  exclude=["Nov 23, 2018","Support free-thinking","Promoted stories","Related Articles","The Council of Europe","The European Centre","The growth of far-right","London Sharia","The New Face"],
  PER=["Khuram Butt","Butt","Anjem Choudary","Salman Abedi","Abedi","Hashem","Ariana Grande","Khalid Masood","Ahmed Hassan","Hassan","Khuram Shazad Butt","Rachid Redouane","Youssef Zaghba","Dominic Grieve","Lee Rigby","Neil Basu","Sajid Javid"],
  ORG=["Intelligence and Security Committee of Parliament","al-Muhajiroun","MI5","Isis","al-Qaeda","Metropolitan Police","UK Counter Terrorism Policing"],
  LOC=["Britian","London Bridge","Manchester","Libya","UK","Manchester Arena","Westminster","Parsons Green","Finsbury Park"],
  REL=[("Khuram Butt","affiliated_with","al-Muhajiroun"),("Anjem Choudary","leader_of","al-Muhajiroun"),("Khuram Butt","supporter_of","Isis"),("Khuram Butt","released",None),("Abedi","family_of","Hashem"),("Abedi","supporter_of","Isis"),("Khalid Masood","affiliated_with","al-Qaeda"),("Ahmed Hassan","convicted",None),("Dominic Grieve","title",None),("Neil Basu","title",None),("Salman Abedi","travelled_to","Libya")],
  ALIAS=[]),
"004_f661d44f67ad79fa.txt": dict(
  exclude=[],
  PER=["Rupert Jones","Jones","Donald Trump","Ishab Ahmed","Ahmed"],
  ORG=["Islamic State","Islamic State in Iraq and Levant","Isil","Daesh","Telegraph","IS","Iraqi Army","The Rifles"],
  LOC=["Europe","Mosul","Iraq","Al Asad Air Base","Western Iraq","Gulf","Manbij","Turkey","Raqqa","Haditha","Anbar","Afghanistan","Camp Al Asad","Al Asad"],
  REL=[("Rupert Jones","title",None)],
  ALIAS=[("Islamic State in Iraq and Levant","Isil"),("Isil","Daesh"),("Islamic State","IS")]),
}
out={"note":"Hand annotation of ../shared/corpus/news (people PER, groups ORG, places LOC, main relations, aliases). Offsets are byte offsets into each file. Excluded: page-furniture lines listed per file. Produced by listing surface forms by hand and marking every whole-word occurrence outside excluded lines; longest form wins.","files":[]}
for fn,a in A.items():
    text=open(D+fn,'rb').read().decode('utf-8')
    b=text.encode('utf-8')
    # excluded byte ranges: whole lines starting with prefixes
    excl=[]; off=0
    for line in text.split('\n'):
        lb=len(line.encode('utf-8'))
        if any(line.strip().startswith(p) for p in a['exclude']):
            excl.append([off,off+lb])
        off+=lb+1
    # after "Related Articles" in 003 everything is excluded
    forms=[]
    for t in ('PER','ORG','LOC'):
        for f in a[t]: forms.append((f,t))
    forms.sort(key=lambda x:-len(x[0]))
    taken=[False]*len(b)
    ents=[]
    for f,t in forms:
        fb=f.encode('utf-8')
        for m in re.finditer(re.escape(fb), b):
            s,e=m.start(),m.end()
            # whole word: not preceded/followed by letter/digit or hyphen-letter
            pre=b[s-1:s].decode('latin1') if s>0 else ' '
            post=b[e:e+1].decode('latin1') if e<len(b) else ' '
            if (pre.isascii() and pre.isalnum()) or (post.isascii() and post.isalnum()): continue
            if pre=='-' or (post=='-' and b[e+1:e+2].decode('latin1').isalpha()): continue
            if any(x<=s<y for x,y in excl): continue
            if any(taken[s:e]): continue
            for k in range(s,e): taken[k]=True
            ents.append({"start":s,"end":e,"type":t,"text":f})
    ents.sort(key=lambda x:x['start'])
    rels=[{"subject":s,"predicate":p,"object":o} for s,p,o in a['REL']]
    al=[{"entity":x,"alias":y} for x,y in a['ALIAS']]
    out['files'].append({"file":fn,"sha256":hashlib.sha256(b).hexdigest(),"exclude":excl,"entities":ents,"relations":rels,"aliases":al})
    print(fn,len(ents))
json.dump(out,open('internal/extract/testdata/news_gold.json','w'),indent=1,ensure_ascii=False)
