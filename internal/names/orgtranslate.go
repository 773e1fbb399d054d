package names

import (
	"strings"
)

// Arabic-script organisation names are often listed in Latin script by
// their meaning, not their sound: جماعة "group", حركة "movement", المصري
// "Egyptian". No transliteration bridges such a name; a translation of
// its common words does. orgLexicon holds the common words of
// organisation names (kinds of body, the adjectives and nouns that
// describe them, countries and regions and their adjectives, a few
// function words), keyed by their stem as normArabicWord writes it
// (article and conjunction removed, ة as ه, hamza seats as alif, ى as
// ي); each has its English renderings, the most usual first, then after
// "/" its French one. Words that lists keep as they sound (Ansar, Jihad,
// Mujahideen, Qaida, Dawa, Tawhid) need no entry: the query in Arabic
// script still finds them.
var orgLexicon = map[string]string{
	// Kinds of body.
	"جماعه": "group/groupe", "مجموعه": "group/groupe", "حركه": "movement/mouvement",
	"جبهه": "front/front", "تنظيم": "organization/organisation", "منظمه": "organization/organisation",
	"مؤسسه": "foundation,institution/fondation", "موسسه": "foundation,institution/fondation",
	"جمعيه": "society,association/association", "هيئه": "commission,authority/commission",
	"لجنه": "committee/comite", "مجلس": "council/conseil", "حزب": "party/parti",
	"جيش": "army/armee", "كتائب": "brigades/brigades", "كتيبه": "battalion,brigade/bataillon",
	"لواء": "brigade/brigade", "فيلق": "corps/corps", "حرس": "guard/garde", "اتحاد": "union/union",
	"رابطه": "league/ligue", "مركز": "center,centre/centre", "مكتب": "office/bureau",
	"شركه": "company/societe", "شركات": "companies/societes", "شبكه": "network/reseau",
	"صرافه": "money exchange,exchange/change", "بنك": "bank/banque", "مصرف": "bank/banque", "صندوق": "fund/fonds",
	"وزاره": "ministry/ministere",
	// What they are or do.
	"دوله": "state/etat", "اسلام": "islam/islam", "اسلامي": "islamic/islamique",
	"عربي": "arab/arabe", "عرب": "arabs/arabes", "دولي": "international/international",
	"عالمي": "world,global/mondial", "وطني": "national/national", "شعبي": "popular/populaire",
	"شعب": "people/peuple", "ثوري": "revolutionary/revolutionnaire", "ثوره": "revolution/revolution",
	"ديمقراطي": "democratic/democratique", "تحرير": "liberation/liberation", "مقاومه": "resistance/resistance",
	"مقاتل": "combatant,fighting/combattant", "قتال": "combat,fighting/combat", "سلفي": "salafist/salafiste",
	"توحيد": "unity,unification/unification", "خيري": "charitable/caritative", "خير": "charity/charite",
	"اغاثه": "relief/secours", "انساني": "humanitarian/humanitaire", "تراث": "heritage/patrimoine",
	"احياء": "revival/renaissance", "تجاره": "trading,trade/commerce", "تجاري": "trading,commercial/commercial",
	"خدمات": "services/services", "عام": "general/general", "محدود": "limited/limitee",
	"صناعات": "industries/industries", "صناعي": "industrial/industriel", "نفط": "oil/petrole",
	"طيران": "airlines,aviation/aviation", "شحن": "shipping/transport", "بحري": "maritime,shipping/maritime",
	"نقل": "transport/transport", "استيراد": "import/importation", "تصدير": "export/exportation",
	"استثمار": "investment/investissement", "تنميه": "development/developpement", "هندسه": "engineering/ingenierie",
	"امن": "security/securite", "دفاع": "defence,defense/defense", "استخبارات": "intelligence/renseignement",
	"متحد": "united/unis", "اعلى": "supreme/supreme", "مسلح": "armed/arme", "مسلم": "muslim/musulman",
	"مسلمين": "muslims/musulmans", "اخوان": "brotherhood,brothers/freres", "شباب": "youth/jeunesse",
	"انصار": "supporters,partisans/partisans", "بيت": "house/maison", "ابحاث": "research/recherche",
	"بحوث": "research/recherche", "جديد": "new/nouveau",
	// Countries and regions, and their adjectives.
	"مصر": "egypt/egypte", "مصري": "egyptian/egyptien", "عراق": "iraq/irak", "عراقي": "iraqi/irakien",
	"مغرب": "maghreb,morocco/maghreb", "مغربي": "moroccan,maghreb/marocain", "شام": "levant,sham/levant",
	"يمن": "yemen/yemen", "يمني": "yemeni/yemenite", "ليبيا": "libya/libye", "ليبي": "libyan/libyen",
	"تونس": "tunisia/tunisie", "تونسي": "tunisian/tunisien", "جزائر": "algeria/algerie", "جزائري": "algerian/algerien",
	"صومال": "somalia/somalie", "صومالي": "somali/somalien", "سودان": "sudan/soudan", "سوداني": "sudanese/soudanais",
	"سوريا": "syria/syrie", "سوري": "syrian/syrien", "لبنان": "lebanon/liban", "لبناني": "lebanese/libanais",
	"فلسطين": "palestine/palestine", "فلسطيني": "palestinian/palestinien", "اردن": "jordan/jordanie",
	"اردني": "jordanian/jordanien", "سعودي": "saudi/saoudien", "كويت": "kuwait/koweit", "كويتي": "kuwaiti/koweitien",
	"قطر": "qatar/qatar", "بحرين": "bahrain/bahrein", "امارات": "emirates/emirats", "ايران": "iran/iran",
	"ايراني": "iranian/iranien", "تركيا": "turkey/turquie", "تركي": "turkish/turc", "افغانستان": "afghanistan/afghanistan",
	"افغاني": "afghan/afghan", "باكستان": "pakistan/pakistan", "باكستاني": "pakistani/pakistanais",
	"هند": "india/inde", "هندي": "indian/indien", "نيجيريا": "nigeria/nigeria", "مالي": "mali/mali",
	"اندونيسيا": "indonesia/indonesie", "فلبين": "philippines/philippines", "جزيره": "peninsula/peninsule",
	"خليج": "gulf/golfe", "افريقيا": "africa/afrique", "افريقي": "african/africain", "اسيا": "asia/asie",
	"كوريا": "korea/coree", "كوري": "korean/coreen", "روسيا": "russia/russie", "بلاد": "land,country/pays",
	"غرب": "west/ouest", "غربي": "western/occidental", "شرق": "east/est", "شرقي": "eastern/oriental",
	"شمال": "north/nord", "شمالي": "northern/nord", "جنوب": "south/sud", "جنوبي": "southern/sud",
	"اوسط": "middle/moyen", "ولايه": "province,state/province",
	// Function words.
	"في": "in/en", "و": "and/et", "من": "of,from/de", "على": "on/sur", "الى": "to/a", "لاجل": "for/pour",
	"ل": "for/pour",
}

// arabicOrgVariants is how many renderings TranslateArabicOrg returns at
// most: the usual English words, the English words' second choices, and
// the French words.
const arabicOrgVariants = 3

// normArabicWord folds the spelling variants of an Arabic-script word that
// the lexicon does not tell apart: harakat and tatweel removed, hamza
// seats written as alif, ى and Persian ی as ي, ک as ك, ة and ۀ as ه.
func normArabicWord(w string) string {
	var b strings.Builder
	for _, r := range w {
		switch {
		case r >= 0x064B && r <= 0x0652, r == 0x0670, r == 0x0640:
			continue
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ى' || r == 'ی' || r == 'ې':
			r = 'ي'
		case r == 'ک':
			r = 'ك'
		case r == 'ة' || r == 'ۀ' || r == 'ە':
			r = 'ه'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lookupOrgWord returns the lexicon entry of an Arabic-script word, with
// "and" when it carries the conjunction و or "in" when it carries the
// preposition ب: the word as written, without
// the article (ال, and ال after ب, ل, ف, ك, و, or لل), and for an
// adjective or noun in -ة, without it (-ية as -ي).
func lookupOrgWord(w string) (entry string, prefix string, ok bool) {
	w = normArabicWord(w)
	try := func(s string) (string, bool) {
		if len([]rune(s)) < 2 && s != "و" && s != "ل" {
			return "", false
		}
		if e, ok := orgLexicon[s]; ok {
			return e, true
		}
		if x, ok := strings.CutSuffix(s, "يه"); ok {
			if e, ok := orgLexicon[x+"ي"]; ok {
				return e, true
			}
		}
		if x, ok := strings.CutSuffix(s, "ه"); ok && len([]rune(x)) >= 3 {
			if e, ok := orgLexicon[x]; ok {
				return e, true
			}
		}
		return "", false
	}
	stems := func(s string) []string {
		out := []string{s}
		for _, p := range [...]string{"بال", "لل", "فال", "كال", "ال"} {
			if x, ok := strings.CutPrefix(s, p); ok && len([]rune(x)) >= 2 {
				out = append(out, x)
			}
		}
		return out
	}
	for _, s := range stems(w) {
		if e, ok := try(s); ok {
			return e, "", true
		}
	}
	if x, ok := strings.CutPrefix(w, "و"); ok && len([]rune(x)) >= 2 {
		for _, s := range stems(x) {
			if e, ok := try(s); ok {
				return e, "and", true
			}
		}
	}
	// ب "in" joined to a place ("بليبيا", in Libya).
	if x, ok := strings.CutPrefix(w, "ب"); ok && len([]rune(x)) >= 3 {
		if e, ok := try(x); ok {
			return e, "in", true
		}
	}
	return "", "", false
}

// TranslateArabicOrg renders the common words of an organisation's name
// written in Arabic script in Latin script (orgLexicon), leaving its other
// words as written, and returns up to three renderings: in English with
// each word's usual rendering, in English with each word's second
// rendering where it has one, and in French. ok is false for a name of
// one word and unless a word other than a function word was translated,
// so that a name is never rewritten for "in" alone.
func TranslateArabicOrg(name string) (out []string, ok bool) {
	if DetectScript(name) != ScriptArabic {
		return nil, false
	}
	words := strings.Fields(name)
	var vs [arabicOrgVariants][]string
	content := 0
	for _, w := range words {
		e, prefix, found := lookupOrgWord(w)
		if !found {
			// و "and" written joined to a word kept as written
			// ("والجهاد") is written apart.
			rest, and := strings.CutPrefix(w, "وال")
			for i := range vs {
				switch {
				case and && i == 2:
					vs[i] = append(vs[i], "et", "ال"+rest)
				case and:
					vs[i] = append(vs[i], "and", "ال"+rest)
				default:
					vs[i] = append(vs[i], w)
				}
			}
			continue
		}
		en, fr, _ := strings.Cut(e, "/")
		first, second, _ := strings.Cut(en, ",")
		if second == "" {
			second = first
		}
		if first != "in" && first != "and" && first != "of" && first != "on" && first != "to" && first != "for" {
			content++
		}
		for i, r := range [arabicOrgVariants]string{first, second, fr} {
			if prefix != "" {
				if i == 2 {
					prefix = map[string]string{"and": "et", "in": "en"}[prefix]
				}
				vs[i] = append(vs[i], prefix)
			}
			vs[i] = append(vs[i], r)
		}
	}
	if len(words) < 2 || content < 1 {
		return nil, false
	}
	seen := map[string]bool{}
	for _, v := range vs {
		s := strings.Join(v, " ")
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, true
}
