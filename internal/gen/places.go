package gen

import "strings"

// Places, goods and organisations of the fictional world. Towns, cities and
// airport codes are real places (facts, listed by hand here); every person,
// organisation, prison, shop and airline is invented.

// towns are UK towns where people live, weighted roughly by size.
var towns = []weighted{
	{"London", 9}, {"Birmingham", 3}, {"Manchester", 2.5}, {"Leeds", 2}, {"Glasgow", 1.8}, {"Liverpool", 1.5},
	{"Bristol", 1.4}, {"Sheffield", 1.4}, {"Edinburgh", 1.3}, {"Leicester", 1.1}, {"Cardiff", 1},
	{"Bradford", 1}, {"Coventry", 1}, {"Nottingham", 1}, {"Newcastle upon Tyne", 0.9}, {"Belfast", 0.9},
	{"Stoke-on-Trent", 0.7}, {"Southampton", 0.7}, {"Derby", 0.7}, {"Portsmouth", 0.6}, {"Plymouth", 0.6},
	{"Wolverhampton", 0.6}, {"Reading", 0.5}, {"Luton", 0.6}, {"Preston", 0.4}, {"Blackburn", 0.4},
	{"Bolton", 0.5}, {"Oldham", 0.4}, {"Huddersfield", 0.4}, {"Middlesbrough", 0.4}, {"Sunderland", 0.5},
	{"Swansea", 0.5}, {"Aberdeen", 0.5}, {"Dundee", 0.4}, {"Norwich", 0.4}, {"Oxford", 0.4}, {"Cambridge", 0.4},
	{"Peterborough", 0.4}, {"Slough", 0.4}, {"Watford", 0.3}, {"Ipswich", 0.3}, {"York", 0.4}, {"Hull", 0.6},
	{"Exeter", 0.3}, {"Gloucester", 0.3}, {"Milton Keynes", 0.5}, {"Northampton", 0.5}, {"Brighton", 0.5},
	{"Crawley", 0.3}, {"Rochdale", 0.3}, {"Dewsbury", 0.2}, {"Walsall", 0.4}, {"Dudley", 0.4}, {"Swindon", 0.4},
}

var streetNames = strings.Fields(`Station Church Park Victoria Green Manor Mill School Albert Queens Kings
	Grange Chapel Springfield Highfield Windsor Alexandra Stanley Richmond Cedar Elm Oak Beech Willow
	Meadow Orchard Brook Hillside Clarence Nelson Wellington Milton Harrow Ashgrove Belmont Carlton
	Denmark Egerton Fairfield Gordon Hamilton Kingsley Lansdowne Marlborough Newland Osborne Portland`)

var streetKinds = strings.Fields(`Road Street Lane Avenue Close Drive Grove Terrace Crescent Way Gardens Place`)

// airport is a real airport (IATA code and city).
type airport struct {
	Code, City, Country string
}

var ukAirports = []airport{
	{"LHR", "London", "GBR"}, {"LGW", "London", "GBR"}, {"STN", "London", "GBR"}, {"LTN", "Luton", "GBR"},
	{"MAN", "Manchester", "GBR"}, {"BHX", "Birmingham", "GBR"}, {"EDI", "Edinburgh", "GBR"},
	{"GLA", "Glasgow", "GBR"}, {"BRS", "Bristol", "GBR"}, {"LPL", "Liverpool", "GBR"},
	{"NCL", "Newcastle upon Tyne", "GBR"}, {"LBA", "Leeds", "GBR"}, {"EMA", "Nottingham", "GBR"}, {"BFS", "Belfast", "GBR"},
}

var abroadAirports = []airport{
	{"IST", "Istanbul", "TUR"}, {"AYT", "Antalya", "TUR"}, {"DXB", "Dubai", "ARE"}, {"DOH", "Doha", "QAT"},
	{"CAI", "Cairo", "EGY"}, {"AMM", "Amman", "JOR"}, {"BEY", "Beirut", "LBN"}, {"CMN", "Casablanca", "MAR"},
	{"RAK", "Marrakesh", "MAR"}, {"TUN", "Tunis", "TUN"}, {"ALG", "Algiers", "DZA"}, {"ISB", "Islamabad", "PAK"},
	{"LHE", "Lahore", "PAK"}, {"KHI", "Karachi", "PAK"}, {"DEL", "Delhi", "IND"}, {"BOM", "Mumbai", "IND"},
	{"DAC", "Dhaka", "BGD"}, {"CMB", "Colombo", "LKA"}, {"IKA", "Tehran", "IRN"}, {"MGQ", "Mogadishu", "SOM"},
	{"HGA", "Hargeisa", "SOM"}, {"NBO", "Nairobi", "KEN"}, {"ADD", "Addis Ababa", "ETH"}, {"LOS", "Lagos", "NGA"},
	{"ABV", "Abuja", "NGA"}, {"ACC", "Accra", "GHA"}, {"DKR", "Dakar", "SEN"}, {"PEK", "Beijing", "CHN"},
	{"PVG", "Shanghai", "CHN"}, {"HKG", "Hong Kong", "HKG"}, {"ICN", "Seoul", "KOR"}, {"NRT", "Tokyo", "JPN"},
	{"SGN", "Ho Chi Minh City", "VNM"}, {"HAN", "Hanoi", "VNM"}, {"KBP", "Kyiv", "UKR"}, {"WAW", "Warsaw", "POL"},
	{"SOF", "Sofia", "BGR"}, {"BEG", "Belgrade", "SRB"}, {"RIX", "Riga", "LVA"}, {"MAD", "Madrid", "ESP"},
	{"BCN", "Barcelona", "ESP"}, {"AGP", "Malaga", "ESP"}, {"ALC", "Alicante", "ESP"}, {"PMI", "Palma", "ESP"},
	{"LIS", "Lisbon", "PRT"}, {"FAO", "Faro", "PRT"}, {"CDG", "Paris", "FRA"}, {"AMS", "Amsterdam", "NLD"},
	{"BRU", "Brussels", "BEL"}, {"FRA", "Frankfurt", "DEU"}, {"BER", "Berlin", "DEU"}, {"MUC", "Munich", "DEU"},
	{"FCO", "Rome", "ITA"}, {"MXP", "Milan", "ITA"}, {"ATH", "Athens", "GRC"}, {"DUB", "Dublin", "IRL"},
	{"CPH", "Copenhagen", "DNK"}, {"ARN", "Stockholm", "SWE"}, {"JFK", "New York", "USA"}, {"YYZ", "Toronto", "CAN"},
	{"MEX", "Mexico City", "MEX"}, {"BOG", "Bogota", "COL"}, {"EZE", "Buenos Aires", "ARG"}, {"JED", "Jeddah", "SAU"},
	{"RUH", "Riyadh", "SAU"}, {"BGW", "Baghdad", "IRQ"}, {"EBL", "Erbil", "IRQ"}, {"MCT", "Muscat", "OMN"},
	{"KUL", "Kuala Lumpur", "MYS"}, {"BKK", "Bangkok", "THA"}, {"SIN", "Singapore", "SGP"}, {"LCA", "Larnaca", "CYP"},
}

// carrier is a fictional airline.
type carrier struct {
	Name, Code string
	Aliases    []string
}

var carriers = []carrier{
	{"Albion Airways", "A4", []string{"Albion Air", "AAW"}},
	{"Northwind Air", "N7", []string{"Northwind", "Northwind Airlines"}},
	{"Bluebird Aviation", "B6", []string{"Bluebird", "Bluebird Air"}},
	{"Celtic Sky", "C3", []string{"CelticSky", "Celtic Sky Airlines"}},
	{"Saffron Air", "S5", []string{"Saffron", "Saffron Airways"}},
	{"Horizon Connect", "H8", []string{"Horizon", "HorizonConnect"}},
	{"Eastgate Airlines", "E2", []string{"Eastgate", "Eastgate Air"}},
	{"Sunward", "W5", []string{"Sunward Airways", "Sunward Air"}},
	{"Atlas Continental", "T3", []string{"Atlas", "Atlas Continental Airways"}},
}

// holidayDestinations are drawn more often than other destinations.
var holidayDestinations = map[string]bool{
	"AGP": true, "ALC": true, "PMI": true, "FAO": true, "AYT": true, "BCN": true, "ATH": true, "DUB": true,
	"AMS": true, "CDG": true, "FCO": true, "DXB": true, "LIS": true, "LCA": true, "JFK": true, "IST": true,
}

// prison is a fictional prison in a real town.
type prison struct {
	Name, Town string
}

var prisons = []prison{
	{"HMP Ashcombe", "Leeds"}, {"HMP Greystone", "Birmingham"}, {"HMP Marsh Lane", "London"},
	{"HMP Whitmoor Heath", "Manchester"}, {"HMP Blackridge", "Glasgow"}, {"HMP Fenwick", "Norwich"},
	{"HMP Longmead", "Bristol"}, {"HMP Castlegate", "Nottingham"}, {"HMP Harrowfield", "London"},
	{"HMP Kestrel Moor", "Durham"},
}

// item is a kind of goods; listed items are explosive precursors that
// sellers must report.
type item struct {
	Name     string
	Unit     string
	Min, Max float64 // quantity range
	Listed   bool
	Shops    []string // shop kinds that sell it
}

var items = []item{
	{"ammonium nitrate fertiliser", "kg", 10, 50, true, []string{"garden", "agri"}},
	{"hydrogen peroxide 12%", "L", 1, 5, true, []string{"hair", "pharmacy", "online"}},
	{"acetone", "L", 0.5, 5, true, []string{"hardware", "hair", "online", "pharmacy"}},
	{"potassium nitrate", "kg", 0.5, 5, true, []string{"garden", "online"}},
	{"sulphuric acid drain cleaner", "L", 1, 5, true, []string{"hardware", "online"}},
	{"nitromethane fuel", "L", 1, 4, true, []string{"hobby", "online"}},
	{"general purpose compost", "kg", 20, 120, false, []string{"garden"}},
	{"lawn seed", "kg", 1, 10, false, []string{"garden"}},
	{"growmore fertiliser", "kg", 5, 25, false, []string{"garden", "agri"}},
	{"hair dye", "units", 1, 12, false, []string{"hair", "pharmacy"}},
	{"nail polish remover", "units", 1, 6, false, []string{"pharmacy", "hair"}},
	{"paracetamol", "packs", 1, 2, false, []string{"pharmacy"}},
	{"exterior paint", "L", 2.5, 20, false, []string{"hardware"}},
	{"wood screws", "boxes", 1, 5, false, []string{"hardware"}},
	{"nails", "kg", 0.5, 5, false, []string{"hardware"}},
	{"gas canister", "units", 1, 4, false, []string{"hardware", "outdoor"}},
	{"camping stove", "units", 1, 1, false, []string{"outdoor"}},
	{"pressure cooker", "units", 1, 1, false, []string{"online", "hardware"}},
	{"mobile phone", "units", 1, 2, false, []string{"electronics", "online"}},
	{"prepaid SIM card", "units", 1, 5, false, []string{"electronics", "online"}},
	{"batteries", "packs", 1, 10, false, []string{"electronics", "hardware", "online"}},
	{"radio control model kit", "units", 1, 1, false, []string{"hobby", "online"}},
	{"protective gloves", "boxes", 1, 3, false, []string{"hardware", "online"}},
	{"rucksack", "units", 1, 2, false, []string{"outdoor", "online"}},
}

func itemByName(n string) int {
	for i, it := range items {
		if it.Name == n {
			return i
		}
	}
	panic("gen: unknown item " + n)
}

// shopKinds name the kinds of shop and how their names are built.
var shopKinds = []struct {
	Kind  string
	Forms []string // "%s" is replaced by a town or a word
}{
	{"garden", []string{"%s Garden Centre", "GreenThumb Garden Supplies %s", "%s Nurseries"}},
	{"agri", []string{"%s Agri-Supply Co-operative", "%s Farm Stores"}},
	{"hair", []string{"SalonPro Wholesale %s", "%s Hair & Beauty Supplies"}},
	{"pharmacy", []string{"Brightwell Pharmacy %s", "%s Chemists"}},
	{"hardware", []string{"%s Hardware Depot", "Handyman's %s", "%s Builders Merchants"}},
	{"online", []string{"QuickCart Online", "ParcelMart", "ShopHub Marketplace"}},
	{"electronics", []string{"%s Phone Centre", "GadgetHub %s"}},
	{"outdoor", []string{"%s Outdoor & Camping", "Trailside %s"}},
	{"hobby", []string{"%s Model Shop", "Hobbycraft Corner %s"}},
}

// occupations and the listed goods each buys in the ordinary course.
var occupations = []struct {
	Name   string
	Weight float64
	Buys   []string
}{
	{"office worker", 20, nil}, {"teacher", 6, nil}, {"nurse", 6, nil}, {"retail assistant", 8, nil},
	{"driver", 6, nil}, {"builder", 6, []string{"acetone", "sulphuric acid drain cleaner"}},
	{"gardener", 3, []string{"ammonium nitrate fertiliser", "potassium nitrate"}},
	{"farmer", 1.5, []string{"ammonium nitrate fertiliser"}},
	{"hairdresser", 3, []string{"hydrogen peroxide 12%", "acetone"}},
	{"nail technician", 1.5, []string{"acetone"}},
	{"cleaner", 4, []string{"sulphuric acid drain cleaner"}},
	{"pool technician", 0.5, []string{"hydrogen peroxide 12%"}},
	{"model engineer", 0.5, []string{"nitromethane fuel"}},
	{"student", 10, nil}, {"retired", 12, nil}, {"engineer", 5, nil}, {"chef", 3, nil}, {"mechanic", 3, []string{"acetone"}},
}

var vehicles = []struct {
	Name string
	Van  bool
}{
	{"Ford Transit van", true}, {"Luton box van", true}, {"Mercedes Sprinter van", true}, {"Vauxhall Vivaro van", true},
	{"Citroen Berlingo van", true}, {"Vauxhall Corsa", false}, {"Ford Focus", false}, {"Toyota Yaris", false},
	{"Volkswagen Golf", false}, {"Nissan Qashqai", false}, {"Kia Sportage", false}, {"Ford Transit Custom minibus", true},
}

var referralAgencies = []string{"local authority safeguarding team", "school", "further education college",
	"health service", "police", "probation service", "housing association", "employer"}

// Referral reasons describe behaviour only.
var referralReasons = []string{
	"expressed support for violence online",
	"viewing and sharing violent extremist material",
	"threatening behaviour towards staff",
	"repeated interest in weapons and explosives",
	"fixation on previous mass-casualty attacks",
	"attempted to recruit others to a violent group",
	"possession of instructions for making explosives",
	"abusive and threatening messages to a public figure",
	"concerning change in behaviour reported by family",
	"vulnerable to grooming by a violent group",
}

// violentGroup is a fictional violent group with its names.
type violentGroup struct {
	Name    string
	Aliases []string
	Country string
}

var violentGroups = []violentGroup{
	{"Northern Vanguard Front", []string{"NVF", "the Vanguard", "Vanguard Front"}, "GBR"},
	{"Black Meridian Brigade", []string{"BMB", "the Meridian", "Meridian Brigade"}, "GBR"},
	{"Iron Dawn Movement", []string{"IDM", "Iron Dawn", "the Dawn Movement"}, "GBR"},
	{"Sons of the Fallen Gate", []string{"SFG", "the Fallen Gate", "Fallen Gate Sons"}, "GBR"},
	{"Red Harbour Collective", []string{"RHC", "Red Harbour", "the Harbour Collective"}, "GBR"},
	{"Seventh Column Army", []string{"SCA", "the Seventh Column", "Seventh Column"}, "GBR"},
}

// Parts of ordinary organisation names.
var (
	orgAdjectives = strings.Fields(`Riverside Northgate Summit Oakwood Silverline Keystone Meridian Harbour
		Brightside Greenfield Westbrook Eastside Highland Cornerstone Lighthouse Beacon Heritage Unity Pioneer
		Crown Phoenix Evergreen Redbrick Bluewater Ironbridge Stonegate Clearview Hillcrest Lakeside Fairway`)
	companyNouns = strings.Fields(`Logistics Construction Consulting Foods Motors Cleaning Security Print
		Software Engineering Catering Removals Properties Textiles Media Trading Couriers Builders`)
	charityNouns = strings.Fields(`Foundation Trust Relief Aid Outreach Support Hope`)
	clubNouns    = strings.Fields(`Boxing Football Cricket Cycling Running Chess Rugby Martial-Arts Swimming Angling`)
)
