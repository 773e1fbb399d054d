package gen

import (
	"strings"
)

// Name tables written for this generator. Each table is a list of entries
// separated by ';'. An entry is
//
//	Canonical|Variant|Variant~Nickname,Nickname=Script
//
// where variants are other spellings or transliterations of the same name,
// nicknames are informal forms, and Script is the name in its native script
// (Arabic or Cyrillic) for the cultures that have one. The tables are
// combined at random, so a full name is never that of a real person by
// design; common given names and surnames are, of course, shared by many.

// nameEntry is one given name or surname with its spellings.
type nameEntry struct {
	Canon    string
	Variants []string // other spellings; excludes Canon
	Nicks    []string
	Script   string
}

// parseNames parses a name table.
func parseNames(s string) []nameEntry {
	var out []nameEntry
	for _, raw := range strings.Split(s, ";") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		var e nameEntry
		if i := strings.IndexByte(raw, '='); i >= 0 {
			e.Script = strings.TrimSpace(raw[i+1:])
			raw = raw[:i]
		}
		if i := strings.IndexByte(raw, '~'); i >= 0 {
			for _, n := range strings.Split(raw[i+1:], ",") {
				if n = strings.TrimSpace(n); n != "" {
					e.Nicks = append(e.Nicks, n)
				}
			}
			raw = raw[:i]
		}
		parts := strings.Split(raw, "|")
		e.Canon = strings.TrimSpace(parts[0])
		for _, v := range parts[1:] {
			if v = strings.TrimSpace(v); v != "" && v != e.Canon {
				e.Variants = append(e.Variants, v)
			}
		}
		out = append(out, e)
	}
	return out
}

// nameStructure says how a culture composes a full name.
type nameStructure int

const (
	structSimple     nameStructure = iota // given [middle] surname
	structTwoSurname                      // given surname1 surname2 (Hispanic)
	structThreeName                       // given father grandfather (Somali)
	structSlavic                          // gendered surnames (-ov/-ova)
)

// pool is a coherent set of names within a culture (e.g. the Korean names of
// the East Asian culture), so that a person's names fit together.
type pool struct {
	weight                 float64
	male, female, surnames []nameEntry
}

// culture is a naming tradition. The culture of a person is recorded only in
// truth/people.csv; it never influences any role.
type culture struct {
	Key       string
	Weight    float64
	Structure nameStructure
	Script    string // "Arab", "Cyrl" or ""
	// Nationalities are ISO 3166-1 alpha-3 codes with weights.
	Nationalities []weighted
	// MiddleRate is the share of people with a middle name.
	MiddleRate float64
	Pools      []pool
}

type weighted struct {
	Value  string
	Weight float64
}

func mkPool(w float64, male, female, surnames string) pool {
	return pool{weight: w, male: parseNames(male), female: parseNames(female), surnames: parseNames(surnames)}
}

func nat(pairs ...any) []weighted {
	var out []weighted
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, weighted{pairs[i].(string), pairs[i+1].(float64)})
	}
	return out
}

// cultures returns the culture tables. Weights sum to 1.
func cultures() []*culture {
	return []*culture{
		{
			Key: "british_irish", Weight: 0.22, MiddleRate: 0.55,
			Nationalities: nat("GBR", 0.9, "IRL", 0.1),
			Pools: []pool{mkPool(1,
				`James~Jim,Jimmy,Jamie; John~Jack,Johnny; William~Bill,Will,Billy; Robert~Bob,Rob,Bobby; Michael~Mike,Mick;
				David~Dave; Richard~Rich,Dick; Thomas~Tom,Tommy; Christopher|Christoper~Chris; Daniel~Dan,Danny;
				Matthew|Mathew~Matt; Andrew~Andy; Stephen|Steven~Steve; Paul; Mark|Marc; Anthony|Antony~Tony;
				Peter~Pete; Jonathan|Jonathon~Jon; Sean|Shaun|Shawn; Patrick~Pat,Paddy; Liam; Ciaran|Ciarán|Kieran;
				Declan; Conor|Connor; Owen|Eoin; Gareth~Gaz; Rhys|Reece|Reese; Dylan; Callum|Calum;
				Alistair|Alasdair|Alastair~Ali; Fraser|Frazer; Niall|Neil|Neal; George; Harry|Harrison; Samuel~Sam;
				Benjamin~Ben; Joseph~Joe; Edward~Ed,Eddie,Ted; Charles~Charlie,Chas; Lewis|Louis`,
				`Sarah|Sara; Emma; Rebecca|Rebekah~Becky,Becca; Laura; Charlotte~Charlie,Lottie; Hannah|Hanna;
				Jessica~Jess; Katherine|Catherine|Kathryn~Kate,Katie,Cathy; Elizabeth~Liz,Beth,Lizzie;
				Margaret~Maggie,Peggy; Victoria~Vicky,Tori; Amy|Aimee; Rachel; Nicola~Nicky; Joanne~Jo;
				Claire|Clare; Siobhan|Siobhán|Shivaun; Niamh|Neve; Aoife; Ciara|Keira|Kiera; Roisin|Róisín;
				Sinead|Sinéad; Bethan; Cerys|Ceris; Megan|Meghan~Meg; Eilidh|Ailie; Fiona; Susan~Sue,Susie;
				Helen|Helena; Lucy; Olivia~Liv; Gemma|Jemma; Deborah|Debra~Debbie,Deb`,
				`Smith; Jones; Williams; Taylor; Brown; Davies|Davis; Evans; Wilson; Thomas; Roberts; Johnson;
				Lewis; Walker; Robinson; Wright; Thompson|Thomson; White; Hughes; Edwards; Green|Greene; Hall;
				Wood; Harris; Clarke|Clark; Jackson; Turner; Hill; Moore; Cooper; Ward; Morris; Murphy;
				Kelly|Kelley; O'Brien|OBrien|O Brien; Byrne|Bryne; Ryan; O'Sullivan|OSullivan|O Sullivan;
				Walsh|Welsh; McCarthy|MacCarthy|Mc Carthy; Doyle; Gallagher|Gallacher; Campbell;
				MacDonald|McDonald|Macdonald; Stewart|Stuart; Anderson; Fraser|Frazer; Reid|Reed|Read;
				Baker; Marshall; Fletcher; Chapman; Holmes; Palmer; Mason; Pearson; Lloyd; Griffiths|Griffith;
				Owen|Owens; Price; Morgan; Kennedy; Quinn; Lynch; Brennan; Fitzgerald|FitzGerald`)},
		},
		{
			Key: "western_european", Weight: 0.10, MiddleRate: 0.3,
			Nationalities: nat("GBR", 0.45, "FRA", 0.15, "DEU", 0.12, "NLD", 0.08, "ITA", 0.12, "BEL", 0.04, "CHE", 0.04),
			Pools: []pool{
				mkPool(0.35,
					`Jean|Jehan; Pierre; Louis; Nicolas|Nicholas; Julien|Julian; Antoine~Toni; François|Francois;
					Mathieu|Matthieu; Guillaume; Thomas; Olivier|Oliver; Philippe|Phillipe; Laurent; Sébastien|Sebastien~Seb;
					Stéphane|Stephane; Benoît|Benoit; Hugo; Rémi|Remi|Remy; Yannick; Thierry`,
					`Marie; Camille; Sophie; Isabelle; Nathalie|Natalie; Céline|Celine; Aurélie|Aurelie; Claire;
					Émilie|Emilie; Juliette; Manon; Chloé|Chloe; Élodie|Elodie; Margaux|Margot; Léa|Lea; Sandrine;
					Valérie|Valerie; Hélène|Helene; Amélie|Amelie; Pauline`,
					`Martin; Bernard; Dubois; Durand; Lefebvre|Lefèvre|Lefevre; Moreau; Laurent; Girard; Roux; Fournier;
					Mercier; Blanc; Fontaine; Chevalier; Rousseau; Garnier; Lambert; Faure; Bonnet; Dupont|Dupond;
					Leroy|Le Roy; Morel; Gauthier|Gautier; Perrin; Marchand`),
				mkPool(0.35,
					`Lukas|Lucas; Maximilian~Max; Jonas; Felix; Tobias~Tobi; Stefan|Stephan; Matthias|Mathias;
					Jürgen|Juergen|Jurgen; Klaus|Claus; Wolfgang~Wolf; Jan; Pieter|Peter; Daan; Bram; Sander;
					Florian; Markus|Marcus; Andreas; Henrik|Hendrik; Dirk`,
					`Anna; Lena; Katharina|Katarina~Kathi; Julia; Sabine; Petra; Monika|Monica; Ursula~Uschi; Anke;
					Sanne; Femke; Lotte; Birgit; Claudia; Heike; Silke; Ingrid; Annika; Marieke; Greta`,
					`Müller|Mueller|Muller; Schmidt|Schmitt|Schmid; Schneider; Fischer; Weber; Meyer|Meier|Maier;
					Wagner; Becker; Hoffmann|Hofmann; Schulz|Schultz; Koch; Richter; Klein; de Jong|De Jong|Dejong;
					Jansen|Janssen; de Vries|De Vries; van Dijk|Van Dijk|van Dyk; Bakker; Visser; Smit; Vogel; Krüger|Krueger|Kruger;
					Hartmann; Lange; Werner`),
				mkPool(0.3,
					`Marco; Giuseppe~Beppe,Peppe; Giovanni~Gianni; Luca; Francesco~Franco; Alessandro~Sandro;
					Matteo|Mateo; Lorenzo~Enzo; Andrea; Stefano; Roberto; Davide; Paolo; Simone; Riccardo|Ricardo`,
					`Giulia; Francesca; Chiara; Sara|Sarah; Valentina; Alessandra; Elena; Martina; Federica; Paola;
					Silvia; Roberta; Serena; Laura; Giorgia`,
					`Rossi; Russo; Ferrari; Esposito; Bianchi; Romano; Colombo; Ricci; Marino; Greco; Bruno; Gallo;
					Conti; De Luca|DeLuca|Deluca; Costa; Giordano; Mancini; Rizzo; Lombardi; Moretti`),
			},
		},
		{
			Key: "south_asian", Weight: 0.14, MiddleRate: 0.2,
			Nationalities: nat("GBR", 0.65, "PAK", 0.12, "IND", 0.12, "BGD", 0.08, "LKA", 0.03),
			Pools: []pool{
				mkPool(0.5,
					`Muhammad|Mohammed|Mohammad|Muhammed~Mo; Imran; Asif|Aasif; Tariq|Tarik; Zubair|Zubayr; Aamir|Amir;
					Faisal|Faysal; Usman|Osman; Bilal; Adnan; Kamran; Shahid|Shahed; Naveed|Navid; Waqas; Junaid|Junayd;
					Irfan; Zeeshan|Zishan; Arif|Aarif; Rizwan; Sajid|Sajjad; Farhan; Haris|Harris; Yasir|Yaser; Nadeem|Nadim`,
					`Ayesha|Aisha|Aysha; Fatima|Fatimah; Sana|Sanaa; Nadia|Nadiya; Saima; Farah|Fara; Shabana; Rubina|Rubeena;
					Nazia|Naziya; Amina|Aminah; Zara|Zahra; Asma|Asmaa; Sadia|Saadia; Hina; Mehwish; Rukhsana; Samina;
					Tahira; Uzma; Noreen|Nasreen`,
					`Khan; Ahmed|Ahmad; Hussain|Hussein|Husain; Ali; Shah; Iqbal|Ikbal; Malik; Chaudhry|Chaudhary|Choudhury|Chowdhury;
					Qureshi|Quraishi|Kureshi; Butt; Rana; Mirza; Siddiqui|Siddiqi; Akhtar|Akhter; Aslam; Rehman|Rahman;
					Mahmood|Mahmud; Javed|Javaid; Nawaz; Bashir|Basheer; Raza; Bhatti; Anwar; Sheikh|Shaikh; Hashmi;
					Ansari; Rashid|Rasheed; Younis|Yunus|Younus; Zaman; Haq|Hak|Huq`),
				mkPool(0.5,
					`Raj|Raaj; Rahul; Sanjay|Sanjai; Vikram~Vik,Vicky; Arjun; Amit; Rajesh~Raj; Harpreet; Gurpreet; Sandeep|Sundeep~Sunny;
					Rohan; Suresh; Anil; Deepak|Dipak; Ravi; Manoj; Sunil; Ajay|Ajai; Pradeep|Pradip; Kiran; Nikhil; Varun;
					Jaspal|Jaspaul; Kuldeep|Kuldip; Ashok`,
					`Priya; Anjali; Sunita; Neha; Pooja|Puja; Kavita|Kavitha; Deepa|Dipa; Simran; Manpreet; Anita; Meena|Mina;
					Lakshmi|Laxmi; Shreya|Sreya; Divya; Rani; Sushma; Geeta|Gita; Nisha; Jaspreet; Parveen|Parvin`,
					`Patel; Sharma; Singh; Kaur; Gupta; Kumar; Desai; Joshi; Mehta; Reddy; Nair; Rao; Verma; Shah; Chopra;
					Kapoor; Malhotra; Bose; Das; Sandhu; Gill; Dhillon; Sidhu; Grewal; Iyer|Iyengar; Pillai; Menon; Mistry;
					Parmar; Solanki`),
			},
		},
		{
			Key: "arabic", Weight: 0.10, MiddleRate: 0.35, Script: "Arab",
			Nationalities: nat("GBR", 0.45, "EGY", 0.1, "MAR", 0.1, "IRQ", 0.1, "SYR", 0.1, "JOR", 0.05, "LBY", 0.05, "DZA", 0.05),
			Pools: []pool{mkPool(1,
				`Mohammed|Muhammad|Mohamed|Mohammad|Mohamad~Mo=محمد; Ahmed|Ahmad=أحمد; Ali=علي; Omar|Umar=عمر;
				Khalid|Khaled=خالد; Hassan|Hasan=حسن; Hussein|Husain|Hussain|Husayn=حسين; Ibrahim|Ebrahim=إبراهيم;
				Youssef|Yusuf|Yousef|Youssif=يوسف; Abdullah|Abdallah|Abdalla=عبد الله; Mustafa|Moustafa|Mostafa=مصطفى;
				Tariq|Tarek|Tareq=طارق; Karim|Kareem=كريم; Samir|Sameer=سمير; Walid|Waleed=وليد; Nabil|Nabeel=نبيل;
				Bilal=بلال; Hamza|Hamzah=حمزة; Rashid|Rachid|Rasheed=رشيد; Saeed|Said|Sayed=سعيد; Faisal|Faysal=فيصل;
				Jamal|Gamal=جمال; Adel|Adil=عادل; Ziad|Ziyad=زياد; Mahmoud|Mahmud=محمود; Anas=أنس; Amr|Amru=عمرو;
				Yassin|Yasin|Yaseen=ياسين; Osama|Usama=أسامة; Majed|Majid=ماجد`,
				`Fatima|Fatma|Fatimah=فاطمة; Aisha|Aicha|Ayesha|Aysha=عائشة; Maryam|Mariam|Meryem=مريم;
				Khadija|Khadijah|Khadeeja=خديجة; Zainab|Zaynab|Zeinab=زينب; Layla|Leila|Laila=ليلى; Nour|Noor|Nur=نور;
				Huda|Hoda=هدى; Amira|Ameera=أميرة; Salma=سلمى; Rania=رانيا; Yasmin|Yasmine|Jasmin=ياسمين;
				Samira|Sameera=سميرة; Hanan=حنان; Dina=دينا; Rana=رنا; Lina=لينا; Mona|Muna=منى; Asma|Asmaa=أسماء;
				Iman|Eman=إيمان; Reem|Rim=ريم; Sara|Sarah=سارة; Heba|Hiba=هبة; Nadia|Nadya=نادية`,
				`Al-Masri|El-Masry|Almasri=المصري; Haddad=حداد; Khoury|Khouri|Khuri=خوري; Nasser|Nasir|Nassar=ناصر;
				Saleh|Salih=صالح; Mansour|Mansur=منصور; Hamdan=حمدان; Qasim|Kassem|Qassem=قاسم; Abbas=عباس;
				Darwish|Derwich=درويش; Farouk|Farooq|Faruq=فاروق; Suleiman|Sulaiman|Slimane=سليمان;
				Al-Tamimi|Tamimi|Altamimi=التميمي; Aziz=عزيز; Bakr|Bakir=بكر; Hijazi|Hejazi=حجازي; Jaber|Jabir=جابر;
				Kanaan|Kenaan=كنعان; Marzouk|Marzuq=مرزوق; Othman|Osman|Uthman=عثمان; Sabbagh=صباغ;
				Al-Shami|Shami|Alshami=الشامي; Zidan|Zeidan=زيدان; Awad=عوض; Bishara=بشارة; Ghanem|Ghanim=غانم;
				Hamad=حمد; Issa|Eissa=عيسى; Khalil=خليل; Obeid|Ubaid=عبيد; Rizk|Rizq=رزق; Tahan=طحان;
				Al-Hakim|Hakim|El Hakim=الحكيم; Nassif|Nasif=ناصيف; Barakat=بركات; Fakhoury|Fakhouri=فاخوري`)},
		},
		{
			Key: "turkish", Weight: 0.05, MiddleRate: 0.15,
			Nationalities: nat("GBR", 0.4, "TUR", 0.55, "CYP", 0.05),
			Pools: []pool{mkPool(1,
				`Mehmet|Mehmed; Mustafa; Ahmet|Ahmed; Ali; Hüseyin|Huseyin|Husein; Hasan; İbrahim|Ibrahim; İsmail|Ismail;
				Osman; Yusuf; Murat; Emre; Burak; Kemal|Kamal; Serkan; Oğuz|Oguz; Cem; Tolga; Volkan; Erkan; Selim;
				Tarık|Tarik; Ömer|Omer; Hakan; Onur`,
				`Ayşe|Ayse; Fatma; Emine; Hatice|Hatije; Zeynep|Zeinep; Elif; Meryem|Meriem; Şerife|Serife; Sultan;
				Hülya|Hulya; Özlem|Ozlem; Derya; Esra; Gül|Gul; Yasemin|Yasmin; Merve; Büşra|Busra; Ebru; Sibel; Deniz`,
				`Yılmaz|Yilmaz; Kaya; Demir; Şahin|Sahin; Çelik|Celik; Yıldız|Yildiz; Yıldırım|Yildirim; Öztürk|Ozturk;
				Aydın|Aydin; Özdemir|Ozdemir; Arslan|Aslan; Doğan|Dogan; Kılıç|Kilic; Çetin|Cetin; Kara; Koç|Koc;
				Kurt; Özkan|Ozkan; Şimşek|Simsek; Polat; Korkmaz; Erdem; Güneş|Gunes; Aktaş|Aktas; Bulut; Tekin;
				Avcı|Avci; Keskin; Uçar|Ucar; Acar`)},
		},
		{
			Key: "persian", Weight: 0.04, MiddleRate: 0.15,
			Nationalities: nat("GBR", 0.4, "IRN", 0.45, "AFG", 0.15),
			Pools: []pool{mkPool(1,
				`Reza; Ali; Mohammad|Mohammed|Muhammad; Hossein|Hosein|Hussein; Mehdi|Mahdi; Amir; Hamid; Saeed|Said;
				Majid|Madjid; Babak; Behrouz|Behruz; Dariush|Daryoush|Darius; Farhad; Kourosh|Kurosh; Navid; Omid;
				Payam; Ramin; Shahram; Kamran; Arash; Siavash|Siavosh; Hooman|Houman; Mehran; Parviz|Parwiz`,
				`Maryam|Mariam; Fatemeh|Fatemah|Fatima; Zahra|Zahara; Nasrin|Nasreen; Parisa; Shirin|Shireen; Leila|Layla;
				Mina; Neda; Roya; Sara|Sarah; Azadeh|Azade; Fereshteh|Fereshte; Golnar; Mahsa; Negin; Nazanin;
				Parvaneh; Samira; Shabnam; Soraya|Sorayya; Taraneh; Yasaman|Yasamin`,
				`Hosseini|Hoseini|Husseini; Mohammadi|Mohamadi; Ahmadi; Rezaei|Rezaee|Rezai; Moradi; Karimi;
				Jafari|Jafary|Ja'fari; Rahimi; Hashemi; Mousavi|Musavi|Moosavi; Sadeghi|Sadeqi; Kazemi|Kazimi;
				Ebrahimi|Ibrahimi; Ghasemi|Qasemi; Akbari; Amini; Bagheri|Baqeri; Heidari|Haidari|Heydari; Farahani;
				Tehrani; Shirazi; Esfahani|Isfahani; Nouri|Nuri; Rostami; Salehi; Zamani; Abbasi; Soltani; Yazdani;
				Navabi; Noorzai|Noorzay; Popal; Stanikzai|Stanekzai; Hakimi; Wardak`)},
		},
		{
			Key: "somali", Weight: 0.05, Structure: structThreeName,
			Nationalities: nat("GBR", 0.6, "SOM", 0.25, "KEN", 0.08, "ETH", 0.04, "DJI", 0.03),
			Pools: []pool{mkPool(1,
				`Abdi|Abdee; Abdirahman|Abdurahman|Abdulrahman|Cabdiraxmaan; Abdullahi|Abdillahi|Cabdullaahi; Ahmed|Axmed;
				Ali|Cali; Mohamed|Mohammed|Maxamed~Mo; Hassan|Xasan; Hussein|Xuseen|Hussain; Omar|Cumar; Yusuf|Yuusuf;
				Ismail|Ismaaciil; Mahad; Farah|Faarax; Said|Siciid; Osman|Cismaan; Liban; Abdiwali|Cabdiwali; Bashir|Bashiir;
				Guled; Mukhtar|Mukhtaar; Nur|Nuur; Warsame; Dahir|Daahir; Jama|Jaamac; Khadar|Khadir`,
				`Amina|Aamina; Fadumo|Faduma|Fatima; Hodan|Hodon; Halima|Xaliimo; Ifrah|Ifraah; Asha|Aasha; Hawa|Xawa;
				Khadra|Khadro; Maryan|Maryam; Nimco|Nimo; Sahra|Sahro; Sagal; Ubah|Ubax; Ayan|Ayaan; Deqa|Deeqa;
				Farhiya|Farxiyo; Hibo; Idil; Iqra; Leyla|Leila; Muna; Filsan`,
				`Abdi; Ali|Cali; Farah|Faarax; Hassan|Xasan; Mohamed|Maxamed; Omar|Cumar; Jama|Jaamac; Warsame;
				Aden|Aadan|Adan; Hirsi|Xirsi; Egal|Cigaal; Elmi|Cilmi; Duale|Dualeh; Ismail; Nur|Nuur; Yusuf;
				Osman|Cismaan; Abdullahi; Hussein|Xuseen; Ahmed|Axmed; Mohamud|Maxamuud; Gedi|Geedi; Samatar;
				Abdille; Guled; Roble|Robleh; Barre|Baare; Dirie|Diiriye; Shire; Musse|Muuse|Musa`)},
		},
		{
			Key: "west_african", Weight: 0.08, MiddleRate: 0.35,
			Nationalities: nat("GBR", 0.6, "NGA", 0.2, "GHA", 0.1, "SEN", 0.04, "GMB", 0.03, "SLE", 0.03),
			Pools: []pool{
				mkPool(0.45,
					`Chukwuemeka~Emeka; Chinedu; Oluwaseun~Seun; Adebayo~Bayo; Olumide~Mide; Babatunde~Tunde; Segun|Olusegun;
					Femi|Oluwafemi; Tochukwu~Tochi; Obinna; Ikenna; Nnamdi; Chidi|Chidiebere; Kayode; Uche|Uchenna; Ifeanyi;
					Damilola~Dami; Adewale~Wale; Oluwadamilare|Dare; Chibuike`,
					`Ngozi; Chioma; Adaeze~Ada; Oluwakemi~Kemi; Folake; Funmilayo~Funmi; Yetunde~Yetty; Nneka; Ifeoma~Ify;
					Blessing; Esther; Grace; Chiamaka~Amaka; Titilayo~Titi; Bukola|Bukky; Temitope~Tope; Omolara~Lara; Adanna`,
					`Okafor; Okonkwo; Eze; Nwosu; Obi; Adeyemi; Adebayo; Ogunleye; Okoro; Balogun; Oyelaran; Nwachukwu;
					Adeleke; Olawale; Ibekwe; Onyekachi; Akinola; Babatunde; Ogundipe; Chukwu`),
				mkPool(0.3,
					`Kwame; Kofi; Kwabena|Kobena; Yaw; Kwesi|Kwasi; Kojo|Kodjo; Kwaku|Kweku; Nana; Emmanuel~Emma;
					Ebenezer~Ebo; Samuel~Sammy; Isaac; Prince; Michael`,
					`Abena; Akosua; Ama; Efua|Effua; Adwoa|Adjoa; Afua|Afia; Yaa; Akua; Esi; Comfort; Gifty; Mercy; Patience`,
					`Mensah; Owusu; Asante; Boateng; Osei; Appiah; Agyeman|Agyemang; Darko; Addo; Amoah; Ansah; Danso;
					Frimpong; Sarpong; Adjei|Adjei-Mensah; Quaye; Tetteh; Acheampong|Achampong; Kuffour|Kufuor; Nkansah`),
				mkPool(0.25,
					`Ibrahima|Ibrahim; Mamadou|Mamadu|Mohamadou; Moussa|Musa; Ousmane|Usman; Abdoulaye|Abdulai;
					Cheikh|Sheikh; Modou|Modu; Lamin|Lamine; Alieu|Aliou; Babacar|Babucarr; Pape|Papa; Ebrima|Ibrahima`,
					`Aminata|Aminatta; Fatou|Fatu; Awa; Mariama|Mariam; Aissatou|Aisatu|Aishatu; Binta; Kadiatou|Kadijatu;
					Ndeye|Ndey; Isatou|Isatu; Haddy|Hadi; Rokhaya|Rokaya`,
					`Diallo|Jallow|Djalo; Ba|Bah; Sow|Sowe; Diop|Jobe; Ndiaye|N'Diaye|Njie; Fall; Sarr|Sar; Camara|Kamara;
					Traoré|Traore; Touré|Toure|Ture; Coulibaly|Kulibali; Keita|Keïta; Cissé|Cisse|Sisay; Bangura;
					Conteh|Conte; Sesay; Ceesay|Sise; Jammeh|Jammeh; Drammeh|Darboe; Faye|Fye`),
			},
		},
		{
			Key: "east_asian", Weight: 0.07, MiddleRate: 0.1,
			Nationalities: nat("GBR", 0.4, "CHN", 0.2, "HKG", 0.12, "KOR", 0.08, "JPN", 0.06, "VNM", 0.1, "MYS", 0.04),
			Pools: []pool{
				mkPool(0.45,
					`Wei; Jun|Chun; Hao|Ho; Lei; Ming; Jian|Kin; Yong|Wing; Tao|To; Bo|Po; Zhiwei|Chi-wai; Jianguo;
					Kai|Kay; Xiang|Heung; Hong; Feng|Fung; Peng|Pang; Cheng|Ching; Jie|Kit; Long|Lung; Yi|Yee`,
					`Na; Mei|May; Xiu|Hsiu|Sau; Jing|Ching; Ying|Yingying; Yan|Yin; Hui|Wai; Fang|Fong; Li|Lai; Xin|Yan;
					Lan|Laan; Qing|Ching; Yue|Yuet; Ling|Lin; Ting; Xia|Ha; Min|Man; Juan|Kuen; Hua|Wah; Shu|Suk`,
					`Wang|Wong; Li|Lee|Lei; Zhang|Chang|Cheung; Liu|Lau|Lew; Chen|Chan|Tan; Yang|Yeung|Young; Huang|Wong|Hwang;
					Zhao|Chao|Chiu; Wu|Ng|Woo; Zhou|Chow|Chou; Xu|Hsu|Tsui; Sun|Suen; Ma|Mah; Zhu|Chu|Choo; Guo|Kwok|Kuo;
					Lin|Lam|Lim; He|Ho; Gao|Ko|Kao; Luo|Law|Lo; Zheng|Cheng|Chung; Liang|Leung; Xie|Tse|Hsieh; Tang|Tong;
					Feng|Fung; Deng|Tang|Teng`),
				mkPool(0.2,
					`Min-jun|Minjun|Min Jun; Ji-ho|Jiho|Ji Ho; Seo-jun|Seojun|Seo Jun; Hyun-woo|Hyunwoo|Hyun Woo;
					Joon-young|Junyoung|Jun-young; Dong-hyun|Donghyun; Sung-min|Seongmin|Sung Min; Jae-won|Jaewon;
					Young-ho|Yeongho; Tae-yang|Taeyang; Sang-woo|Sangwoo; Jin-woo|Jinwoo`,
					`Ji-yeon|Jiyeon|Ji Yeon; Seo-yeon|Seoyeon; Soo-jin|Sujin|Su-jin; Ha-eun|Haeun; Min-ji|Minji;
					Eun-ji|Eunji; Hye-jin|Hyejin; Yu-na|Yuna; Ji-woo|Jiwoo; So-young|Soyoung; Mi-kyung|Mikyung; Da-eun|Daeun`,
					`Kim|Gim; Park|Pak|Bak; Choi|Choe; Jung|Jeong|Chung; Kang; Cho|Jo; Yoon|Yun; Jang|Chang; Lim|Im;
					Han; Oh; Seo|Suh; Shin|Sin; Kwon; Hwang; Ahn|An; Song; Yoo|Yu; Hong; Jeon|Chun`),
				mkPool(0.15,
					`Hiroshi; Takeshi; Kenji|Kenzi; Daisuke; Yuki|Yuuki; Haruto; Sota|Souta; Kenta; Takumi; Shota|Shouta;
					Ryo|Ryou; Kazuki; Naoki; Tatsuya; Yusuke|Yuusuke`,
					`Yuko|Yuuko; Akiko; Naomi; Haruka; Sakura; Yui; Aoi; Misaki; Emi; Keiko; Tomoko; Mariko; Ayumi; Kaori; Rina`,
					`Tanaka; Suzuki; Sato|Satou; Takahashi; Watanabe; Ito|Itou; Yamamoto; Nakamura; Kobayashi; Kato|Katou;
					Yoshida; Yamada; Sasaki; Yamaguchi; Matsumoto; Inoue; Kimura; Hayashi; Shimizu; Mori`),
				mkPool(0.2,
					`Minh; Duc|Đức; Tuan|Tuấn; Huy; Quang; Thanh; Hung|Hùng; Long; Nam; Khanh|Khánh; Phuc|Phúc; Dung|Dũng;
					Hai|Hải; Son|Sơn; Trung`,
					`Lan; Linh; Thu|Thư; Huong|Hương; Mai; Hoa; Ngoc|Ngọc; Trang; Thao|Thảo; Anh; Phuong|Phương; Nga;
					Hanh|Hạnh; Van|Vân; Yen|Yến`,
					`Nguyen|Nguyễn|Nguyen Van; Tran|Trần; Le|Lê; Pham|Phạm; Hoang|Hoàng; Huynh|Huỳnh; Phan; Vu|Vũ|Võ; Dang|Đặng;
					Bui|Bùi; Do|Đỗ; Ho|Hồ; Ngo|Ngô; Duong|Dương; Ly|Lý`),
			},
		},
		{
			Key: "slavic", Weight: 0.08, MiddleRate: 0.0, Structure: structSlavic, Script: "Cyrl",
			Nationalities: nat("GBR", 0.25, "UKR", 0.3, "RUS", 0.2, "BLR", 0.08, "BGR", 0.09, "SRB", 0.08),
			Pools: []pool{mkPool(1,
				`Aleksandr|Alexander|Alexandr|Oleksandr~Sasha,Sanya=Александр; Dmitriy|Dmitry|Dmitri~Dima=Дмитрий;
				Sergey|Sergei|Serhiy~Seryozha=Сергей; Andrey|Andrei|Andriy=Андрей; Vladimir|Volodymyr|Wladimir~Volodya,Vova=Владимир;
				Nikolay|Nikolai|Mykola~Kolya=Николай; Ivan~Vanya=Иван; Mikhail|Mykhailo|Michail~Misha=Михаил;
				Pavel|Pavlo~Pasha=Павел; Yuriy|Yuri|Yury|Iurii~Yura=Юрий; Oleg|Oleh=Олег; Igor|Ihor=Игорь;
				Viktor|Victor=Виктор; Maksim|Maxim|Maksym~Max=Максим; Konstantin|Kostiantyn~Kostya=Константин;
				Yevgeniy|Evgeny|Yevhen|Evgeni~Zhenya=Евгений; Artem|Artyom|Artiom=Артём; Denis|Denys=Денис; Roman=Роман;
				Anatoliy|Anatoly|Anatolii~Tolya=Анатолий; Boris=Борис; Grigoriy|Grigory|Hryhoriy~Grisha=Григорий;
				Vasiliy|Vasily|Vasyl~Vasya=Василий; Stanislav~Stas=Станислав; Bogdan|Bohdan=Богдан`,
				`Natalya|Natalia|Nataliya~Natasha=Наталья; Olga|Olha=Ольга; Tatyana|Tatiana|Tetiana~Tanya=Татьяна;
				Yelena|Elena|Olena~Lena=Елена; Irina|Iryna~Ira=Ирина; Svetlana|Svitlana~Sveta=Светлана; Anna|Hanna~Anya=Анна;
				Mariya|Maria|Mariia~Masha=Мария; Yekaterina|Ekaterina|Kateryna~Katya=Екатерина;
				Anastasiya|Anastasia|Anastasiia~Nastya=Анастасия; Yuliya|Yulia|Julia|Yuliia=Юлия; Oksana=Оксана;
				Lyudmila|Ludmila|Liudmyla~Luda=Людмила; Galina|Halyna=Галина; Valentina|Valentyna~Valya=Валентина;
				Darya|Daria|Dariia~Dasha=Дарья; Kseniya|Ksenia|Xenia=Ксения; Viktoriya|Victoria|Viktoria~Vika=Виктория;
				Sofiya|Sofia|Sofiia=София; Larisa|Larysa=Лариса; Alina=Алина; Polina=Полина`,
				`Ivanov=Иванов; Petrov=Петров; Smirnov=Смирнов; Kuznetsov|Kouznetsov=Кузнецов; Popov=Попов; Sokolov=Соколов;
				Lebedev=Лебедев; Kozlov=Козлов; Novikov=Новиков; Morozov=Морозов; Volkov|Wolkow=Волков;
				Solovyov|Soloviev|Solovyev=Соловьёв; Vasilyev|Vasiliev|Vasylyev=Васильев; Zaytsev|Zaitsev=Зайцев;
				Pavlov=Павлов; Semyonov|Semenov=Семёнов; Golubev=Голубев; Vinogradov=Виноградов; Bogdanov=Богданов;
				Vorobyov|Vorobiev=Воробьёв; Fyodorov|Fedorov=Фёдоров; Mikhaylov|Mikhailov=Михайлов; Belyaev|Belyayev=Беляев;
				Tarasov=Тарасов; Belov=Белов; Komarov=Комаров; Orlov=Орлов; Kiselyov|Kiselev=Киселёв; Makarov=Макаров;
				Andreyev|Andreev=Андреев; Kovalenko=Коваленко; Bondarenko=Бондаренко; Tkachenko=Ткаченко;
				Kravchenko=Кравченко; Shevchuk=Шевчук; Polyakov|Poliakov=Поляков; Zhukov=Жуков; Osipov=Осипов;
				Gromov=Громов; Melnyk|Melnik=Мельник`)},
		},
		{
			Key: "hispanic", Weight: 0.07, MiddleRate: 0.2, Structure: structTwoSurname,
			Nationalities: nat("GBR", 0.3, "ESP", 0.3, "MEX", 0.1, "COL", 0.12, "ARG", 0.08, "VEN", 0.05, "PER", 0.05),
			Pools: []pool{mkPool(1,
				`José|Jose~Pepe; Juan; Luis; Carlos; Javier|Xavier~Javi; Miguel; Alejandro~Alex; Antonio~Toni,Tony;
				Francisco~Paco,Fran; Manuel~Manolo; Pedro; Jesús|Jesus; Diego; Fernando~Nando; Rafael~Rafa; Sergio;
				Andrés|Andres; Ricardo~Ricky; Eduardo~Edu; Jorge; Pablo; Raúl|Raul; Óscar|Oscar; Álvaro|Alvaro`,
				`María|Maria; Carmen; Ana; Isabel; Laura; Lucía|Lucia; Marta|Martha; Elena; Sofía|Sofia; Paula;
				Cristina|Christina; Guadalupe~Lupe; Rosa; Dolores~Lola; Teresa~Tere; Patricia~Patri; Gabriela~Gaby;
				Valeria; Daniela~Dani; Alejandra~Ale; Beatriz~Bea; Pilar; Raquel; Silvia`,
				`García|Garcia; Rodríguez|Rodriguez; González|Gonzalez|Gonzales; Fernández|Fernandez; López|Lopez;
				Martínez|Martinez; Sánchez|Sanchez; Pérez|Perez; Gómez|Gomez; Martín|Martin; Jiménez|Jimenez|Gimenez;
				Ruiz; Hernández|Hernandez; Díaz|Diaz; Moreno; Álvarez|Alvarez; Muñoz|Munoz; Romero; Alonso;
				Gutiérrez|Gutierrez; Navarro; Torres; Domínguez|Dominguez; Vázquez|Vazquez|Vasquez; Ramos; Gil;
				Ramírez|Ramirez; Serrano; Blanco; Castillo; Ortiz; Rubio; Molina; Delgado; Morales`)},
		},
	}
}

// feminine returns the feminine form of a Slavic surname entry: -ov/-ev/-in
// take -a (Ivanov, Ivanova), -iy/-skiy take -aya; Ukrainian -enko, -uk and
// -yk do not change.
func feminine(e nameEntry) nameEntry {
	f := func(s string) string {
		switch {
		case strings.HasSuffix(s, "skiy"):
			return strings.TrimSuffix(s, "iy") + "aya"
		case strings.HasSuffix(s, "ov"), strings.HasSuffix(s, "ev"), strings.HasSuffix(s, "ow"),
			strings.HasSuffix(s, "in"), strings.HasSuffix(s, "yn"):
			return s + "a"
		case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"), strings.HasSuffix(s, "ин"):
			return s + "а"
		}
		return s
	}
	out := nameEntry{Canon: f(e.Canon), Script: f(e.Script), Nicks: e.Nicks}
	for _, v := range e.Variants {
		out.Variants = append(out.Variants, f(v))
	}
	return out
}
