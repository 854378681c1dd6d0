"""Writes resources/patterns/conflict-news.jsonl from the word lists below.

The default pipeline is spacy.blank("en"): no lemmatiser, no tagger. So every trigger is listed in its
inflected forms, and phrases match case-insensitively (the span ruler's phrase matcher uses LOWER).
Run: python scripts/build_patterns.py"""

from __future__ import annotations

import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "patterns" / "conflict-news.jsonl"

EVENTS: dict[str, list[str]] = {
    "ATTACK": """attack attacks attacked attacking airstrike airstrikes air strike air strikes air raid air raids
        missile strike missile strikes drone strike drone strikes rocket attack rocket attacks strike on strikes on
        shelling shelled bombing bombings bombed bombardment bombardments explosion explosions exploded blast blasts
        raid raids raided ambush ambushed ambushes shooting shootings shot dead opened fire gunfire gunfight
        offensive assault assaults assaulted clashes clashed clash fighting stabbing stabbed massacre massacred
        detonated invasion invaded invade suicide bombing car bombing fired missiles fired rockets fired on
        launched missiles launched rockets launched an attack suicide attack suicide attacks targeted targeting
        blew up blown up blow up blowing up drone battle drone battles shot down poisoned firefight firefights
        shootout shootouts gunfights""",
    "DEATH": """killed killing killings kill kills dead died die dies death deaths death toll assassination
        assassinations assassinated homicide homicides fatalities fatally
        slain murdered murder murders drowned executed execution executions perished lost their lives bodies body
        lost his life lost her life death tolls death count deceased""",
    "INJURY": """wounded wounding injured injuries injury injuring hurt hospitalised hospitalized""",
    "ARREST": """arrested arrest arrests arresting detained detaining detention detentions custody charged
        indicted jailed imprisoned apprehended extradited taken into custody kidnapped abducted
        kidnapping abduction taken hostage surrendered turned himself in turned herself in turned themselves in
        arrest warrant arrest warrants""",
    "TALKS": """talks met meeting meetings meet meets negotiations negotiated negotiating negotiate summit
        summits discussed discussions dialogue phone call peace talks held talks spoke with consultations
        mediation mediated""",
    "AGREEMENT": """agreement agreements deal deals ceasefire ceasefires cease-fire truce truces accord
        accords treaty treaties prisoner exchange prisoner swap swap peace deal armistice
        peace agreement peace accord""",
    "TERRITORY": """seized seize seizes seizing captured the town captured the city captured the village
        took control taken control take control retook retaken recaptured overran overrun fell to lost control
        occupied annexed annexation liberated seizure""",
    "DAMAGE": """damaged damage damaging destroyed destroying destruction collapsed collapse collapses razed
        burned burnt set on fire torched demolished flattened caught fire set fire wildfire wildfires blaze blazes
        arson vandalism vandalised vandalized""",
    "PROTEST": """protest protests protested protesting demonstration demonstrations
        demonstrated rally rallies rallied march marches marched riot riots rioting sit-in
        general strike went on strike""",
    "THREAT": """threatened threaten threatens threat threats threatening warned warn warns warning warnings
        ultimatum vowed""",
    "MOVEMENT": """deployed deploy deploys deployment deployments evacuated evacuate evacuation evacuations fled
        flee fleeing displaced withdrew withdraw withdrawal withdrawing pulled out retreated retreat
        sent troops moved troops crossed into airlifted airlift transported deported deportation deportations
        repatriated""",
}

# who is named by a deed ("gunmen", "protesters"; the guidelines' own examples: "the attacker", "the suspect", "the
# suicide bomber") is an actor anywhere; an armed group or a target only in a sentence that reports an event, and a
# state's institutions or a titled name only right before an event's verb (BEFORE_EVENT): the guidelines mark them
# where they fill a role, and elsewhere they were two suggestions to delete for one to keep
DEEDS = {"gunmen", "militants", "insurgents", "rebels", "protesters", "protestors", "demonstrators", "Houthi rebels",
         "gunman", "attacker", "attackers", "assailant", "assailants", "suspects", "suicide bomber",
         "suicide bombers", "shooter", "shooters", "hijacker", "hijackers", "kidnapper", "kidnappers", "abductors",
         "arsonist", "arsonists", "looters", "rioters"}
# "the suspect", not "police suspect that"
SUSPECT_AFTER = ["the", "a", "one", "another", "second", "third", "main", "detained", "arrested", "alleged", "lone",
                 "male", "female", "suspected"]
IN_EVENT_SENTENCE = {"actor@:-1", "actor-end", "title-name", "demonym-force", "target", "target-word",
                     "group-members"}
# a state's institutions ("police", "the government", "officials", "US troops") and titled names ("President ...")
# are marked where they do the deed, right before an event told by a verb ("police arrested", "US troops withdrew"):
# in any sentence of an event, on the 40 gold articles, the institutions were 52 suggestions deleted for 9 kept and
# the titled names 51 for 15
BEFORE_EVENT = {"actor-institution", "demonym-force", "title-name"}
# a target word ("hospital", "civilians", "journalists") right after an event's words ("attacked journalists",
# "strike on the hospital"): in any sentence of an event, on the 40 gold articles, they were 18 deleted for 2 kept
AFTER_EVENT = {"target-word"}
# a capitalised name (a person's, an organisation's) where it fills a role by its place beside an event's words,
# with the label it gets beside each kind of event: the doer before a verb ("Thunberg has met", "Hamas attacked"),
# the one who died or was hurt before the verb ("Gloria Vanderbilt died"), the one done to after it ("killed
# journalist Nabil Hasan", "arrested Manafort"), the other party of talks ("a meeting between Zelensky and Trump",
# "spoke with Giuliani"), the doer after "by" ("arrested by Thames Valley Police"), and what an attack struck after
# "the". A name another rule knows (a place, a group, a date, an event's words) is that rule's: these give way to
# any match they overlap (YIELDS). A name is one match whatever it turns out to be: a pattern each for the doer,
# the sufferer and so on were four matches of every capitalised word to sort out
DOERS = ["ATTACK", "ARREST", "TALKS", "AGREEMENT", "PROTEST", "THREAT", "TERRITORY", "DAMAGE", "MOVEMENT"]
SUFFERED = ["DEATH", "INJURY"]
DONE_TO = ["DEATH", "INJURY", "ARREST"]
PARTIES = ["TALKS", "AGREEMENT"]
BEFORE_EVENT_OF = {"name": {**dict.fromkeys(DOERS, "ACTOR"), **dict.fromkeys(SUFFERED, "TARGET")}}
AFTER_EVENT_OF = {"name": {**dict.fromkeys(DONE_TO, "TARGET"), **dict.fromkeys(PARTIES, "ACTOR")},
                  "name-struck": ["ATTACK"], "name-agent": sorted({*DONE_TO, "ATTACK", "DAMAGE", "TERRITORY",
                                                                   "MOVEMENT"})}
# a named site is a place, but right after an attack's words what was struck ("struck the Jolo Cathedral")
AFTER_EVENT_OF["place-site"] = {"ATTACK": "TARGET", "DAMAGE": "TARGET"}
# a group's members ("ISIS fighters") are its actors in an event's sentence, but right after the words of an arrest,
# a death, an injury or an attack the ones it was done to ("guarding captured ISIS fighters")
AFTER_EVENT_OF["group-members"] = dict.fromkeys(["ARREST", "DEATH", "INJURY", "ATTACK"], "TARGET")
ANYWHERE = {"place-site", "group-members"}
# a group's name as a phrase ("actor-end", for a name that ends the text) gives way to any other match over it
YIELDS = {*BEFORE_EVENT_OF, *AFTER_EVENT_OF, "actor-end"} - ANYWHERE
# armed groups are actors wherever an event is reported
GROUPS = {"Taliban", "Hamas", "Hezbollah", "ISIS", "ISIL", "Islamic State", "al-Qaeda", "al-Shabaab", "Boko Haram",
          "Houthis", "Kurdish forces"}

# the words before an attack's noun that tell what kind it is, and belong to its span
ATTACK_KINDS = ["suicide", "terrorist", "terror", "mass", "drone", "rocket", "mortar", "artillery", "knife", "gun",
                "grenade", "bomb", "arson", "chemical", "sniper", "missile", "air", "naval", "cyber", "acid",
                "vehicle", "truck", "car", "machete", "militant", "insurgent"]
TRAILING = {"on", "with", "into", "to", "at", "against"}  # prepositions an event's words never end with

WEAPONS = """missile missiles ballistic missile cruise missile rocket rockets drone drones bomb bombs car bomb
    IED IEDs improvised explosive device explosives explosive artillery mortar mortars grenade grenades rifle rifles
    gun guns machine gun tank tanks knife knives machete tear gas rubber bullets bullets fighter jets warplanes
    gunship gunships landmine landmines suicide vest cluster munitions pistol pistols handgun handguns shotgun
    shotguns""".split()
# weapons of more than one word, kept whole ("a kitchen knife", "water cannons"); a helicopter alone is mostly a
# crash's or a rescue's, so only an attack helicopter is a weapon
WEAPON_PHRASES = ["ballistic missile", "cruise missile", "car bomb", "improvised explosive device", "machine gun",
                  "tear gas", "rubber bullets", "fighter jets", "suicide vest", "cluster munitions", "kitchen knife",
                  "water cannon", "water cannons", "assault rifle", "assault rifles", "hunting rifle",
                  "attack helicopter", "attack helicopters", "helicopter gunship", "helicopter gunships"]

DEMONYMS = """afghan american british chinese egyptian french german indian iranian iraqi israeli lebanese libyan
    nigerian pakistani palestinian russian saudi somali sudanese syrian turkish ukrainian yemeni kurdish malian
    ethiopian venezuelan colombian mexican filipino burmese myanmar korean north south us u.s. un nato
    government opposition rebel""".split()

# a count of them is a count of people ("eight Mexicans")
NATIONALS = """Afghans Americans Britons Canadians Chinese Egyptians French Germans Indians Iranians Iraqis Israelis
    Italians Japanese Kurds Lebanese Libyans Mexicans Nigerians Pakistanis Palestinians Russians Saudis Somalis
    Syrians Turks Ukrainians Yemenis Malians Ethiopians Venezuelans Colombians Filipinos Koreans Australians
    Spaniards Poles Belarusians Georgians Armenians Sudanese Kenyans Congolese Swedes Danes Norwegians Finns Dutch
    Greeks Hongkongers Taiwanese Thais Vietnamese Indonesians Bangladeshis Afghanis Uyghurs Rohingya""".split()

ACTOR_NOUNS = """forces troops military army police government officials authorities soldiers navy coalition
    militants rebels fighters""".split() + ["security forces", "air force"]

ACTOR_LIST = [
    "Taliban", "Hamas", "Hezbollah", "ISIS", "ISIL", "Islamic State", "al-Qaeda", "al-Shabaab", "Boko Haram",
    "NATO", "United Nations", "UN", "European Union", "EU", "Kremlin", "Pentagon", "White House", "police",
    "army", "protesters", "protestors", "demonstrators", "rebels", "militants", "insurgents", "government",
    "opposition", "security forces",
    "Red Cross", "gunmen", "officials", "authorities", "troops", "Houthis", "Houthi rebels", "Kurdish forces",
    "emergencies ministry", "interior ministry", "defence ministry", "defense ministry", "foreign ministry",
    *sorted(DEEDS),
]

TARGETS = [
    "civilians", "hospital", "hospitals", "school", "schools", "market", "marketplace", "convoy", "checkpoint",
    "military base", "base", "embassy", "mosque", "church", "synagogue", "police station", "police stations",
    "power plant", "power station", "bridge", "airport", "refinery", "oil facility", "oil facilities",
    "apartment building", "residential building", "residential buildings", "homes", "houses", "village",
    "villages", "camp", "refugee camp", "tanker", "tankers", "vessel", "ship", "headquarters", "journalists",
    "pilgrims", "worshippers", "passengers", "students", "protesters", "demonstrators",
]

DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April June July August September October November December".split()
# time zones written after a clock time ("19:45 CEST", "7:30 a.m. EDT")
TIME_ZONES = """UTC GMT BST CET CEST EET EEST WET WEST MSK IST PKT AFT IRST GST JST KST HKT SGT WIB AEST AEDT NZST
    NZDT EST EDT CST CDT MST MDT PST PDT AST""".split()
RELATIVE_TIMES = [
    "yesterday", "today", "tonight", "last night", "this morning", "this week", "last week", "last month",
    "last year", "earlier this week", "earlier this month", "earlier this year", "overnight", "midnight",
    "dawn", "this year", "next week", "next month", "the following day", "the day before",
    "this afternoon", "this evening", "last summer", "last winter", "last spring", "last autumn", "last fall",
    "this summer", "this winter", "this weekend", "last weekend", "next weekend", "that week", "that day",
    "that night", "that morning", "that evening", "the same day", "coming week", "coming weeks", "coming days",
]

PLACES = """Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain Bangladesh
Belarus Belgium Benin Bolivia Bosnia Botswana Brazil Bulgaria Burkina Faso Burundi Cambodia Cameroon Canada
Central African Republic Chad Chile China Colombia Congo Democratic Republic of the Congo Costa Rica Croatia Cuba
Cyprus Czech Republic Denmark Djibouti Ecuador Egypt El Salvador Eritrea Estonia Ethiopia Finland France Gabon
Gambia Georgia Germany Ghana Greece Guatemala Guinea Haiti Honduras Hungary Iceland India Indonesia Iran Iraq
Ireland Israel Italy Ivory Coast Jamaica Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan Laos Latvia
Lebanon Liberia Libya Lithuania Luxembourg Madagascar Malawi Malaysia Mali Mauritania Mexico Moldova Mongolia
Montenegro Morocco Mozambique Myanmar Burma Namibia Nepal Netherlands New Zealand Nicaragua Niger Nigeria
North Korea North Macedonia Norway Oman Pakistan Palestine Panama Paraguay Peru Philippines Poland Portugal Qatar
Romania Russia Rwanda Saudi Arabia Senegal Serbia Sierra Leone Singapore Slovakia Slovenia Somalia South Africa
South Korea South Sudan Spain Sri Lanka Sudan Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Togo
Tunisia Turkey Turkmenistan Uganda Ukraine United Arab Emirates UAE United Kingdom UK Britain England Scotland
Wales United States United States of America US U.S. USA America Uruguay Uzbekistan Venezuela Vietnam Yemen
Zambia Zimbabwe
Kabul Tirana Algiers Luanda Buenos Aires Yerevan Canberra Vienna Baku Manama Dhaka Minsk Brussels Sarajevo
Brasilia Sofia Phnom Penh Yaounde Ottawa Bangui N'Djamena Santiago Beijing Bogota Kinshasa Brazzaville Havana
Nicosia Prague Copenhagen Quito Cairo Asmara Tallinn Addis Ababa Helsinki Paris Tbilisi Berlin Accra Athens
Port-au-Prince Budapest New Delhi Delhi Jakarta Tehran Baghdad Dublin Jerusalem Tel Aviv Rome Tokyo Amman Astana
Nairobi Pristina Kuwait City Bishkek Vientiane Riga Beirut Monrovia Tripoli Vilnius Bamako Mexico City Chisinau
Ulaanbaatar Podgorica Rabat Maputo Naypyidaw Yangon Kathmandu Amsterdam The Hague Wellington Managua Niamey Abuja
Pyongyang Skopje Oslo Muscat Islamabad Panama City Lima Manila Warsaw Lisbon Doha Bucharest Moscow Kigali Riyadh
Dakar Belgrade Freetown Bratislava Ljubljana Mogadishu Pretoria Johannesburg Cape Town Seoul Juba Madrid Colombo
Khartoum Stockholm Bern Geneva Damascus Taipei Dushanbe Dodoma Dar es Salaam Bangkok Tunis Ankara Istanbul
Ashgabat Kampala Kyiv Kiev Abu Dhabi Dubai London Washington Washington, D.C. New York Montevideo Tashkent
Caracas Hanoi Sanaa Sana'a Aden Lusaka Harare
Gaza Gaza Strip West Bank Golan Heights Crimea Donbas Donbass Donetsk Luhansk Kharkiv Mariupol Odesa Odessa
Idlib Aleppo Homs Raqqa Deir ez-Zor Afrin Kobani Mosul Kirkuk Fallujah Basra Erbil Kurdistan Hodeidah Marib
Taiz Benghazi Sirte Misrata Darfur Kashmir Jammu and Kashmir Balochistan Kandahar Helmand Herat Jalalabad
Kunduz Mazar-i-Sharif Peshawar Karachi Lahore Quetta Mumbai Sinai Borno Maiduguri Sahel Tigray Mekelle Xinjiang
Tibet Hong Kong Catalonia Barcelona Chechnya Grozny Nagorno-Karabakh Karabakh Rakhine Kachin Mindanao Marawi
Middle East Gulf Persian Gulf Strait of Hormuz Red Sea Black Sea Mediterranean South China Sea Balkans
Caucasus Horn of Africa West Africa East Africa Central Asia Southeast Asia Latin America Europe Africa Asia
Magnitogorsk Chelyabinsk Ural Siberia St. Petersburg Saint Petersburg Christchurch Caracas Paris Strasbourg
Lyon Marseille Manchester Birmingham Belfast Northern Ireland Los Angeles Chicago Texas California Florida
New York City Mediterranean Sea Caspian Sea Arabian Sea Sea of Azov Gulf of Aden Gulf of Mexico
Alabama Alaska Arizona Arkansas Colorado Connecticut Delaware Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky
Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada New Hampshire
New Jersey New Mexico North Carolina North Dakota Ohio Oklahoma Oregon Pennsylvania Rhode Island South Carolina
South Dakota Tennessee Utah Vermont Virginia West Virginia Wisconsin Wyoming Ontario Quebec British Columbia
Alberta Queensland New South Wales Tasmania
""".split("\n")

# More of the world's places, one per line as written, in groups: cities of about a million people or more and
# those that news of conflict names often, territories, islands and regions. Left out: names that are as often a
# person's or an English word, matched in any case as the gazetteer's are ("Austin", "Charlotte", "Victoria",
# "Orlando", "Farah", "Java", "Nice", "Split", "Cork", "Reading", "Phoenix", "Mobile", "Tyre", "Perm", "Salvador",
# "Darwin")
MORE_PLACES = """
Shanghai Guangzhou Shenzhen Chongqing Tianjin Wuhan Chengdu Nanjing Xi'an Hangzhou Harbin Shenyang Urumqi Lhasa Macau
Osaka Kyoto Yokohama Nagoya Sapporo Fukuoka Hiroshima Nagasaki Okinawa Busan Incheon Daegu
Kolkata Calcutta Chennai Madras Bangalore Bengaluru Hyderabad Ahmedabad Pune Surat Jaipur Lucknow Kanpur Srinagar
Bombay Punjab Sindh Chittagong Rawalpindi Faisalabad Multan Waziristan
Ho Chi Minh City Saigon Haiphong Da Nang Mandalay Surabaya Bandung Medan Makassar Bali Sumatra Borneo
Kuala Lumpur Penang Quezon City Davao Cebu Luzon Zamboanga Jolo Sulu Cotabato
Lagos Kano Ibadan Port Harcourt Alexandria Giza Casablanca Marrakesh Tangier Oran Mombasa Kisumu Goma Bukavu
Lubumbashi Kisangani Abidjan Douala Ouagadougou Conakry Lomé Cotonou Nouakchott Timbuktu Gao Kidal Mopti Agadez
Omdurman Port Sudan El Fasher Nyala Kassala Hargeisa Kismayo Baidoa Garissa Durban Soweto Bulawayo Lilongwe
Antananarivo Windhoek Gaborone Maseru Beira Cabo Delgado
Jeddah Mecca Dammam Abqaiq Najran Mashhad Isfahan Tabriz Shiraz Ahvaz Qom Zahedan Najaf Karbala Samarra Tikrit
Ramadi Anbar Sulaymaniyah Nineveh Diyala Nasiriyah Haifa Nazareth Hebron Ramallah Nablus Jenin Bethlehem Rafah
Khan Younis Ashkelon Ashdod Sderot Eilat Beersheba Negev Galilee Sidon Zarqa Irbid Aqaba Daraa Latakia Hama Palmyra
Izmir Antalya Adana Bursa Gaziantep Diyarbakir Konya Trabzon Batumi Samarkand Almaty
Ghazni Khost Kunar Nangarhar Paktia Paktika Logar Wardak Maidan Shahr Badakhshan Uruzgan Zabul Faryab
Baghlan Takhar Bamiyan Parwan Kapisa Laghman
Hamburg Munich Cologne Frankfurt Stuttgart Düsseldorf Dusseldorf Dortmund Leipzig Dresden Hanover Nuremberg Bremen
Bonn Bavaria Milan Naples Turin Palermo Genoa Bologna Venice Verona Bari Catania Sicily Sardinia Lombardy Tuscany
Seville Zaragoza Málaga Malaga Bilbao Valencia Porto Andalusia Majorca Mallorca Ibiza Canary Islands Toulouse
Nantes Bordeaux Lille Rennes Toulon Grenoble Montpellier Corsica Normandy Brittany Provence Rotterdam Antwerp Ghent
Utrecht Eindhoven Flanders Wallonia Zurich Basel Lausanne Salzburg Graz Innsbruck Kraków Krakow Łódź Lodz Wrocław
Wroclaw Poznań Poznan Gdańsk Gdansk Szczecin Katowice Lublin Brno Ostrava Debrecen Cluj-Napoca Thessaloniki Crete
Novi Sad Zagreb Mostar Tuzla Banja Luka Srebrenica Gothenburg Malmö Malmo Uppsala Bergen Trondheim Stavanger Aarhus
Tampere Turku Reykjavik Tartu Kaunas Gomel Vitebsk Grodno Transnistria Abkhazia South Ossetia
Lviv Dnipro Zaporizhzhia Kherson Mykolaiv Sumy Chernihiv Poltava Vinnytsia Zhytomyr Bakhmut Avdiivka Sloviansk
Kramatorsk Severodonetsk Lysychansk Melitopol Berdyansk Izium Kupiansk Bucha Irpin Sevastopol Simferopol Kerch
Novosibirsk Yekaterinburg Kazan Nizhny Novgorod Samara Omsk Rostov-on-Don Krasnoyarsk Voronezh Volgograd
Krasnodar Saratov Tyumen Tomsk Irkutsk Vladivostok Khabarovsk Murmansk Arkhangelsk Kaliningrad Belgorod Kursk
Bryansk Smolensk Pskov Yaroslavl Sochi Makhachkala Dagestan Vladikavkaz Astrakhan Yakutsk
Liverpool Leeds Sheffield Bristol Newcastle Nottingham Leicester Coventry Bradford Cardiff Swansea Edinburgh
Glasgow Aberdeen Dundee Galway Limerick Derry Londonderry Oxford Cambridge Brighton Southampton Portsmouth Plymouth
Exeter Norwich Salisbury Dover Canterbury Berkshire
Houston Philadelphia San Antonio San Diego Dallas San Jose Jacksonville Fort Worth Indianapolis San Francisco
Seattle Denver Boston El Paso Nashville Detroit Oklahoma City Portland Las Vegas Memphis Louisville Baltimore
Milwaukee Albuquerque Tucson Sacramento Atlanta Miami Oakland Minneapolis Tulsa New Orleans Honolulu Anchorage
Pittsburgh Cincinnati St. Louis Kansas City Omaha Tampa Salt Lake City Newark Brooklyn Manhattan Bronx Harlem
Toronto Montreal Vancouver Calgary Edmonton Winnipeg Quebec City Guadalajara Monterrey Tijuana Ciudad Juárez
Ciudad Juarez Acapulco Cancún Cancun Culiacán Culiacan Puebla Veracruz Oaxaca Chihuahua Sinaloa Michoacán
Tamaulipas São Paulo Sao Paulo Rio de Janeiro Recife Fortaleza Belo Horizonte Manaus Porto Alegre Medellín Medellin
Cali Barranquilla Cartagena Maracaibo Guayaquil La Paz Santa Cruz Cochabamba Asunción Asuncion Córdoba Valparaíso
Valparaiso San Juan Port of Spain Tegucigalpa San Pedro Sula San Salvador Guatemala City Santo Domingo Bogotá
Brasília
Sydney Melbourne Brisbane Perth Auckland Hobart Port Moresby Suva
Puerto Rico Guam Greenland Patagonia Antarctica Arctic Martinique Guadeloupe Bermuda Bahamas Barbados Trinidad
Tobago Fiji Papua New Guinea Samoa American Samoa Tonga Maldives Mauritius Seychelles Bhutan Brunei Malta Monaco
Andorra Liechtenstein San Marino Vatican City Lesotho Eswatini Swaziland Comoros Cape Verde Equatorial Guinea
Guinea-Bissau Belize Guyana Suriname Dominican Republic East Timor Timor-Leste Solomon Islands Vanuatu Hokkaido
Easter Island Northern Mariana Islands
Soviet Union USSR Yugoslavia South America North America Central America Caribbean Oceania Scandinavia
New England Midwest Sahara Himalayas Alps Andes Indian Ocean Pacific Ocean Atlantic Ocean Arctic Ocean Baltic Sea
North Sea Rio Grande
"""


def more_places() -> list[str]:
    """MORE_PLACES as names: a line's words, except the multi-word names listed in MORE_MULTIWORD kept whole."""
    return [name for line in MORE_PLACES.split("\n") for name in _split_places(line, MORE_MULTIWORD)]


MORE_MULTIWORD = sorted({
    "Ho Chi Minh City", "Da Nang", "Kuala Lumpur", "Quezon City", "Port Harcourt", "Port Sudan", "El Fasher",
    "Cabo Delgado", "Khan Younis", "Maidan Shahr", "Canary Islands", "Novi Sad", "Banja Luka", "South Ossetia",
    "Nizhny Novgorod", "San Antonio", "San Diego", "San Jose", "Fort Worth", "San Francisco", "El Paso",
    "Oklahoma City", "Las Vegas", "New Orleans", "St. Louis", "Kansas City", "Salt Lake City", "Quebec City",
    "Ciudad Juárez", "Ciudad Juarez", "São Paulo", "Sao Paulo", "Rio de Janeiro", "Belo Horizonte", "Porto Alegre",
    "La Paz", "Santa Cruz", "San Juan", "Port of Spain", "San Pedro Sula", "San Salvador", "Guatemala City",
    "Santo Domingo", "Port Moresby", "Puerto Rico", "Papua New Guinea", "American Samoa", "San Marino",
    "Vatican City", "Cape Verde", "Equatorial Guinea", "Dominican Republic", "East Timor", "Solomon Islands",
    "Easter Island", "Northern Mariana Islands", "Soviet Union", "South America", "North America",
    "Central America", "New England", "Indian Ocean", "Pacific Ocean", "Atlantic Ocean", "Arctic Ocean",
    "Baltic Sea", "North Sea", "Rio Grande",
}, key=lambda name: (-len(name), name))


def regions() -> list[str]:
    """The states and provinces after a town's name ("Dayton, Ohio", "Reading, Berkshire"): the gazetteer's lines
    from "Alabama" on, the US states it had before them, Britain's nations and some of England's counties."""
    first = PLACES.index(next(line for line in PLACES if line.startswith("Alabama")))
    return [name for line in PLACES[first:] for name in _split_places(line)] + [
        "Texas", "California", "Florida", "Georgia", "Washington", "Berkshire", "Kent", "Surrey", "Essex",
        "Yorkshire", "Lancashire", "England", "Wales", "Scotland"]


# words of titles besides those of the titled-name rule, which no name of a person begins with
TITLE_WORDS = {"pope", "representative", "representatives", "prime", "former", "foreign", "defence", "defense",
               "interior", "judge", "officer", "detective", "sergeant", "captain", "lieutenant", "major", "sheikh",
               "prince", "princess", "queen", "emperor", "cardinal", "bishop", "rabbi", "imam", "reverend",
               "professor", "attorney", "justice", "speaker", "premier", "councillor", "councilor"}
# the words after which a capitalised name is a place or a time, not someone who acts or is acted on ("in Minsk",
# "since Monday"), or the doer of a passive ("by", its own rule)
NOT_BEFORE_A_NAME = {"about", "in", "at", "near", "from", "to", "into", "by", "during", "since", "after", "before",
                     "until", "across", "over", "outside", "inside", "throughout", "toward", "towards", "via",
                     "through", "within", "around", "than", "as"}
# the kinds of named sites the guidelines mark as places ("Hartford Hospital", "London Bridge"); not "Center",
# "Centre", "Institute", "University" or "Field", which as often name an organisation or a sports ground
SITES = {"airport", "airfield", "hospital", "clinic", "mosque", "cathedral", "church", "basilica", "temple",
         "synagogue", "shrine", "avenue", "street", "road", "boulevard", "lane", "highway", "motorway", "square",
         "bridge", "prison", "jail", "base", "terminal", "station", "palace", "stadium", "arena", "gardens", "park",
         "hall", "mall", "market", "bazaar", "island", "islands", "peninsula", "valley", "lake", "river",
         "mountains", "desert", "camp", "hotel", "port", "harbour", "harbor", "beach", "coast", "canal"}
DATE_WORDS = [w.lower() for w in (*DAYS, *MONTHS, "May")] + "spring summer autumn fall winter christmas easter".split()
# capitalised words after "in" that name no place
NOT_PLACES = """god allah islam christianity judaism hinduism buddhism congress parliament senate court heaven hell
    english arabic spanish russian german chinese french latin hebrew persian urdu hindi""".split()


# Words too ambiguous to suggest on their own, each suggested only in the contexts `_context_patterns` gives
# ("body temperature", "deal with it", "keep fighting", "Protests began in March", "fired on protesters").
IN_CONTEXT: dict[str, set[str]] = {
    "DEATH": {"body", "bodies", "death"},
    "AGREEMENT": {"deal", "deals"},
    "ATTACK": {"fighting"},
    "PROTEST": {"march"},
    "ARREST": {"custody"},
    "ACTOR": {"protesters", "protestors", "demonstrators"},
    "TARGET": {"protesters", "protestors", "demonstrators"},
}
# words after which "May" is the month
BEFORE_A_MONTH = ["in", "on", "since", "until", "till", "by", "of", "from", "during", "through", "early", "late",
                  "mid", "mid-", "last", "next", "this", "before", "after", "between", "and", "to", "throughout"]


def _context_patterns(add) -> None:
    """The words of IN_CONTEXT, each with the words around it that make it what its label says. A token pattern
    keeps the part after "@" (see annotator/nlp/rules.py): the context is matched, not suggested."""
    body = {"LOWER": {"IN": ["body", "bodies"]}}
    add("DEATH", [body, {"LOWER": {"IN": ["of", "was", "were", "has", "have", "had", "is", "are", "lay", "lying",
                                         "found", "recovered", "discovered", "identified", "bags", "count"]}}],
        "death-body@:1")
    add("DEATH", [{"LOWER": {"IN": ["found", "recovered", "discovered", "identified", "retrieved", "pulled",
                                    "dumped", "buried", "dead", "charred", "mutilated", "unidentified"]}},
                  {"LOWER": {"IN": ["the", "a", "his", "her", "their", "two", "three", "four", "five", "several",
                                    "more", "dozens", "of"]}, "OP": "?"}, body], "death-body@-1:")
    # a death, not the penalty, a sentence or threats ("the death penalty", "death threats": the scheme's counter-
    # example)
    add("DEATH", [{"LOWER": "death"}, {"LOWER": {"NOT_IN": ["penalty", "penalties", "sentence", "sentences", "row",
                                                          "threat", "threats", "certificate", "certificates",
                                                          "squad", "squads", "metal", "wish"]}}], "death-trigger@:1")
    # "deal" the noun ("a deal with Iran", "the deal was signed"), not the verb ("to deal with it"), nor a
    # policy's name ("the Green New Deal")
    add("AGREEMENT", [{"ORTH": {"IN": ["deal", "deals"]}}, {"LOWER": {"NOT_IN": ["with", "of"]}}],
        "agreement-deal@:1")
    add("AGREEMENT", [{"LOWER": {"IN": ["a", "the", "this", "that", "new", "peace", "trade", "nuclear", "grain",
                                        "arms", "ceasefire", "interim", "final", "proposed", "historic"]}},
                      {"LOWER": {"IN": ["deal", "deals"]}}, {"LOWER": "with"}], "agreement-deal@1:2")
    # "launched 472 drones", "fired at least 40 missiles": the verb is the attack (and a country before it its
    # actor); "fired" alone may be a job lost
    launch = {"LOWER": {"IN": ["launched", "launches", "launching", "fired", "fires", "firing"]}}
    some = {"LOWER": {"IN": ["a", "an", "the", "some", "several", "more", "than", "over", "about", "around",
                             "nearly", "at", "least", "up", "to", "dozens", "hundreds", "of"]}, "OP": "*"}
    add("ATTACK", [launch, some, {"LIKE_NUM": True, "OP": "*"},
                   {"LOWER": {"IN": sorted({w.lower() for w in WEAPONS if " " not in w})}}], "attack-trigger@:1")
    # the guidelines' span: the head with the words that make it what it is ("suicide bombings", "mass shooting",
    # "terrorist attacks", "knife attack"); a strike stays out (a "mass strike" is a protest)
    add("ATTACK", [{"LOWER": {"IN": ATTACK_KINDS}},
                   {"LOWER": {"IN": ["attack", "attacks", "bombing", "bombings", "shooting", "shootings", "stabbing",
                                     "stabbings", "raid", "raids", "assault", "assaults", "ambush", "ambushes",
                                     "massacre", "massacres", "explosion", "explosions", "blast", "blasts"]}}],
        "attack-trigger")
    FIGHTING_FOR = ["for", "spirit", "chance", "force", "forces", "fit", "words"]  # "the main fighting force"
    # a military action named by its noun, with the words that make it one ("a military offensive", "a ground
    # invasion", "a US counter-terrorism operation"); an operation alone is as often a rescue's or a company's
    military = ["military", "ground", "air", "naval", "land", "armed", "counterterrorism", "counter-terrorism",
                "counterinsurgency", "counter-insurgency", "anti-terrorist", "anti-terror", "cross-border"]
    actions = ["offensive", "offensives", "invasion", "invasions", "incursion", "incursions", "operation",
               "operations", "intervention", "interventions", "campaign"]  # but "the military strike" (set 2)
    add("ATTACK", [{"LOWER": {"IN": [w for w in military if "-" not in w]}}, {"LOWER": {"IN": actions}}],
        "attack-trigger")
    for w in (w for w in military if "-" in w):
        first, last = w.split("-")
        add("ATTACK", [{"LOWER": first}, {"ORTH": "-"}, {"LOWER": last}, {"LOWER": {"IN": actions}}],
            "attack-trigger")
    # a named war ("the Iraq War", "the Syrian Civil War", "World War II", "the Iran–Iraq War"): the guidelines'
    # ATTACK; not "the Cold War", nor a name's first half ("World War II-era", "the Vietnam War Memorial")
    after_war = {"IS_TITLE": False, "LOWER": {"NOT_IN": ["-", "–", "ii", "i", "2", "1"]}}
    war_name = {"IS_TITLE": True, "LOWER": {"NOT_IN": ["cold", "the", "a", "trade", "price", "culture", "world",
                                                      "drug", "drugs", "class", "tariff", "currency", "star",
                                                      "civil", "great", "first", "second", "holy", "total"]}}
    war = {"ORTH": "War"}
    for name in ([war_name], [war_name, war_name], [war_name, {"ORTH": {"IN": ["-", "–"]}}, war_name],
                 [war_name, {"ORTH": "Civil"}], [{"ORTH": {"IN": ["First", "Second", "Great"]}}, {"ORTH": "World"}]):
        add("ATTACK", [{"IS_TITLE": False}, *name, war, after_war], "attack-trigger@1:-1")
    add("ATTACK", [{"ORTH": "Civil"}, war, after_war], "attack-trigger@:-1")  # "the Civil War"
    add("ATTACK", [{"ORTH": "World"}, war, {"ORTH": {"IN": ["II", "I", "Two", "One", "2", "1"]}},
                   {"LOWER": {"NOT_IN": ["-", "–"]}}], "attack-trigger@:-1")
    # killed or wounded "in combat", not "combat roles" or a disease "to combat"
    add("ATTACK", [{"LOWER": {"NOT_IN": ["serve", "serves", "served", "serving", "women", "roles", "role"]}},
                   {"LOWER": {"IN": ["in", "during", "of"]}}, {"LOWER": "combat"}], "attack-trigger@2:")
    # a named battle whole, as a named war ("the Battle of Kursk", "the Battle of Belleau Wood")
    for n in range(1, 4):
        add("ATTACK", [{"ORTH": "Battle"}, {"LOWER": "of"}, *[{"IS_TITLE": True}] * n,
                       {"IS_TITLE": False, "LOWER": {"NOT_IN": ["-", "–"]}}], "attack-trigger@:-1")
    # a battle for a place ("the battle for Mosul", "the Battle of Kursk"), not one in court or for custody
    add("ATTACK", [{"LOWER": {"IN": ["battle", "battles"]}}, {"LOWER": {"IN": ["for", "of"]}},
                   {"IS_TITLE": True}], "attack-trigger@:1")
    # shots fired ("police fired at protesters", "he fired a live shot"), not someone fired from a job
    add("ATTACK", [{"LOWER": "fired"}, {"LOWER": {"IN": ["at", "shots", "live", "warning", "into", "upon",
                                                         "bullets", "rounds", "teargas", "tear", "rubber",
                                                         "indiscriminately", "randomly"]}}], "attack-trigger@:1")
    add("ATTACK", [{"LOWER": "fired"}, {"LOWER": {"IN": ["a", "one", "two", "three", "several"]}},
                   {"LOWER": {"IN": ["live", "warning", "single", "few"]}}], "attack-trigger@:1")
    # "shot at one person" after its doer or an auxiliary, not "a shot at the title" or "a veiled shot at Trump"
    add("ATTACK", [{"LOWER": {"IN": ["he", "she", "they", "who", "and", "then", "police", "officer", "officers",
                                     "gunman", "gunmen", "soldiers", "troops", "man", "was", "were", "been", "being",
                                     "reportedly", "allegedly", "later", "also", "repeatedly", "had", "have", "has",
                                     "deliberately"]}},
                   {"LOWER": "shot"}, {"LOWER": "at"}], "attack-trigger@1:2")
    # a nation's or an army's aggression ("Russian aggression", "an aggression on Iraq"), not an animal's
    aggression = {"LOWER": "aggression"}
    add("ATTACK", [{"IS_TITLE": True, "LOWER": {"NOT_IN": ["the", "an", "a", "this", "that", "such", "any", "no",
                                                         "their", "its", "his", "her", "our"]}}, aggression],
        "attack-trigger@1:")
    add("ATTACK", [{"LOWER": {"IN": ["military", "armed", "foreign", "external"]}}, aggression], "attack-trigger@1:")
    add("ATTACK", [aggression, {"LOWER": {"IN": ["against", "on", "by"]}}], "attack-trigger@:1")
    # people captured (ARREST: "captured ISIS fighters", "leading to his capture"), not a town captured
    add("ARREST", [{"LOWER": "captured"}, {"LOWER": {"IN": sorted({w.lower() for w in DEEDS if " " not in w} | {
        "fighters", "soldiers", "troops", "isis", "isil", "militant", "fighter", "soldier", "prisoners",
        "servicemen", "pilot", "pilots", "sailors", "hostages", "members", "commander", "commanders"})}}],
        "arrest-trigger@:1")
    add("ARREST", [{"LOWER": {"IN": ["his", "her", "their"]}}, {"LOWER": "capture"},
                   {"LOWER": {"IN": ["of", "by", ".", ",", "in", "on", "and"]}}], "arrest-trigger@1:2")
    # fighting between forces, not "keep fighting" or "fighting for" a cause
    add("ATTACK", [{"LOWER": {"NOT_IN": ["keep", "keeps", "kept", "keeping", "continue", "continues",
                                         "continued", "on"]}},
                   {"LOWER": "fighting"}, {"LOWER": {"NOT_IN": FIGHTING_FOR}}], "attack-trigger@1:2")
    add("ATTACK", [{"ORTH": "Fighting"}, {"LOWER": {"NOT_IN": FIGHTING_FOR}}],  # an article's first
        "attack-trigger@:1")                                                                  # word has no context
    # a fire (the guidelines' DAMAGE), not a fire's brigade or extinguisher, nor "opened fire" or "fire Lockhart"
    add("DAMAGE", [{"LOWER": {"IN": ["the", "a", "an", "another", "similar", "huge", "massive", "large", "major",
                                     "deadly", "big", "house", "forest", "building"]}},
                   {"LOWER": {"IN": ["fire", "fires"]}},
                   {"LOWER": {"NOT_IN": ["extinguisher", "extinguishers", "department", "departments", "brigade",
                                         "brigades", "fighters", "fighter", "crews", "crew", "service", "services",
                                         "truck", "trucks", "engine", "engines", "station", "alarm", "alarms",
                                         "chief", "escape", "exit", "safety", "door", "doors", "hydrant", "hazard",
                                         "risk", "and"]}}], "damage-fire@1:2")
    # charges brought (the guidelines' ARREST): "a charge of murder", "charges against him", "to face charges";
    # not an electric charge, a fee or one "in charge of" something
    add("ARREST", [{"LOWER": {"NOT_IN": ["in", "take", "takes", "took", "taking", "taken", "put"]}},
                   {"LOWER": {"IN": ["charge", "charges"]}}, {"LOWER": {"IN": ["of", "against"]}}],
        "arrest-trigger@1:2")
    add("ARREST", [{"LOWER": {"IN": ["face", "faces", "facing", "faced", "file", "filed", "filing", "bring",
                                     "brought", "press", "pressed", "drop", "dropped", "laid", "criminal",
                                     "terrorism", "murder", "the", "his", "her", "their", "these", "those", "all",
                                     "federal", "new", "additional", "crime", "'s", "’s"]}},
                   {"LOWER": "charges"}], "arrest-trigger@1:")
    # a call or a conversation between parties (TALKS), not a call for something
    add("TALKS", [{"LOWER": {"IN": ["call", "calls", "conversation", "conversations"]}},
                  {"LOWER": {"IN": ["with", "between"]}}], "talks-trigger@:1")
    # someone shot (ATTACK): "was shot", "had been shot"; not a photograph's shot or "a shot at the title"
    add("ATTACK", [{"LOWER": {"IN": ["was", "were", "been", "being", "is", "are", "get", "got"]}},
                   {"LOWER": "shot"}], "attack-trigger@1:")
    # an agreement's name is its span ("the Paris Agreement", "the Abraham Accords", "the Good Friday Agreement");
    # not a "New Deal", which is a policy
    named = {"IS_TITLE": True, "IS_STOP": False}
    agreement = {"ORTH": {"IN": ["Agreement", "Agreements", "Accord", "Accords", "Treaty", "Armistice"]}}
    add("AGREEMENT", [named, agreement], "agreement-trigger")
    add("AGREEMENT", [named, named, agreement], "agreement-trigger")
    # custody that holds someone ("in custody", "police custody"), not a child's ("a custody battle")
    add("ARREST", [{"LOWER": {"IN": ["in", "into", "police", "military", "protective"]}}, {"LOWER": "custody"}],
        "arrest-trigger@1:")
    # the verb, written small: a capital "March" is the month
    add("PROTEST", [{"ORTH": "march"}], "protest-trigger")
    # protesters are the actors of their protest, and the target of what is done to them
    crowd = {"LOWER": {"IN": ["protesters", "protestors", "demonstrators"]}}
    done_to = ["on", "at", "against", "attacked", "shot", "killed", "wounded", "injured", "beat", "beaten",
               "dispersed", "arrested", "detained", "tear-gassed", "teargassed", "charged", "targeted", "hit"]
    some = {"LOWER": {"IN": ["the", "some", "several", "many"]}, "OP": "?"}
    add("TARGET", [{"LOWER": {"IN": done_to}}, some, crowd], "target@-1:")
    add("ACTOR", [{"LOWER": {"NOT_IN": [*done_to, "the", "some", "several", "many"]}}, some, crowd], "actor-deed@-1:")


def _is_abbreviation(name: str) -> bool:
    """US, U.S., UK, UAE, UN, EU, ISIS: capitals (and full stops) only."""
    letters = name.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 5


def _as_written(name: str) -> list[dict]:
    """A token pattern matching `name` as written, case and all (phrases are matched in lower case)."""
    import spacy

    return [{"ORTH": t.text} for t in spacy.blank("en").tokenizer(name)]


def build() -> list[dict]:
    """Fixed words and phrases become phrase patterns (spaCy's PhraseMatcher costs about the same whatever
    their number); only the open-ended shapes (counts, dates, clock times, titled names) are token patterns,
    and their first token uses a built-in attribute, because the Matcher tries every token pattern at every
    token and a set predicate there costs several times more."""
    lines: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(label: str, pattern, pid: str | None = None) -> None:
        if isinstance(pattern, str):
            if (label, pattern.lower()) in seen:
                return
            seen.add((label, pattern.lower()))
        entry = {"label": label, "pattern": pattern}
        if pid:
            entry["id"] = pid
        if pid in IN_EVENT_SENTENCE:
            entry["in_event_sentence"] = True
        base = pid.split("@")[0] if pid else None
        if base in BEFORE_EVENT:
            entry["before_event"] = True
        if base in AFTER_EVENT:
            entry["after_event"] = True
        if base in BEFORE_EVENT_OF:
            entry["before_event"] = BEFORE_EVENT_OF[base]
        if base in AFTER_EVENT_OF:
            entry["after_event"] = AFTER_EVENT_OF[base]
        if base in ANYWHERE:
            entry["anywhere"] = True
        if base in YIELDS:
            entry["yields"] = True
        lines.append(entry)

    multi = {
        "ATTACK": ["air strike", "air strikes", "air raid", "air raids", "missile strike", "missile strikes",
                   "drone strike", "drone strikes", "rocket attack", "rocket attacks", "shot dead", "opened fire",
                   "suicide bombing", "car bombing", "fired missiles", "fired rockets", "fired on",
                   "launched missiles", "launched rockets", "launched an attack", "strike on", "strikes on",
                   "suicide attack", "suicide attacks", "blew up", "blown up", "blow up", "blowing up",
                   "drone battle", "drone battles", "shot down"],
        "DEATH": ["death toll", "death tolls", "death count", "lost their lives", "lost his life", "lost her life"],
        "ARREST": ["taken into custody", "taken hostage", "turned himself in", "turned herself in",
                   "turned themselves in", "arrest warrant", "arrest warrants"],
        "TALKS": ["phone call", "peace talks", "held talks", "spoke with", "phone conversation",
                  "telephone conversation", "telephone call", "spoke on the phone", "spoke by phone",
                  "spoke by telephone"],
        "AGREEMENT": ["prisoner exchange", "prisoner swap", "peace deal", "peace agreement", "peace accord"],
        "TERRITORY": ["captured the town", "captured the city", "captured the village", "took control",
                      "taken control", "take control", "fell to", "lost control"],
        "DAMAGE": ["set on fire", "caught fire", "set fire"],
        "PROTEST": ["general strike", "went on strike"],
        "MOVEMENT": ["pulled out", "sent troops", "moved troops", "crossed into"],
    }
    for label, block in EVENTS.items():
        phrases = multi.get(label, [])
        text = " ".join(block.split())
        for p in sorted(phrases, key=len, reverse=True):  # whole words only: "air strike" is no part of "air
            text = re.sub(rf"(?<!\S){re.escape(p)}(?!\S)", " ", text)  # strikes" (which left an "s" trigger)
        for word in sorted(set(text.split()) - IN_CONTEXT.get(label, set())) + phrases:
            # "strike on", "fired on", "spoke with": matched with the preposition, marked without it
            trailing = len(word.split()) > 1 and word.split()[-1] in TRAILING
            add(label, word, f"{label.lower()}-trigger" + ("@:-1" if trailing else ""))
    _context_patterns(add)

    skip = {"ballistic", "cruise", "car", "improvised", "explosive", "device", "machine", "tear", "gas", "rubber",
            "fighter", "jets", "suicide", "vest", "cluster", "munitions"}
    for w in sorted((set(WEAPONS) - skip) | {"explosive", *WEAPON_PHRASES}):
        add("WEAPON", w, "weapon")

    count_nouns = ["people", "persons", "civilians", "soldiers", "troops", "officers", "policemen", "militants",
                   "fighters", "children", "women", "men", "residents", "protesters", "demonstrators", "passengers",
                   "workers", "students", "migrants", "refugees", "others", "rebels", "insurgents", "victims",
                   "servicemen", "members", "journalists", "police", "inmates", "hostages", "bodies", "personnel",
                   "nationals", "individuals", "occupants", "firefighters", "citizens", "tourists", "visitors",
                   "crew", "sailors", "miners", "supporters", "employees", "patients", "prisoners", "detainees",
                   "pilgrims", "worshippers", "shoppers", "teenagers", "adults", "babies", "doctors", "nurses",
                   "guards", "peacekeepers", "villagers", "farmers", "pupils", "casualties"]
    add("CASUALTIES", [{"LIKE_NUM": True, "OP": "+"}, {"LOWER": {"IN": count_nouns}}], "casualty-count")
    # "six Mexican nationals", "eight Mexicans": a count of people of a nation (a count: "first" is like a number
    # to spaCy, and "the September 2015 deaths" holds a year)
    count = {"LIKE_NUM": True, "LOWER": {"NOT_IN": ["first", "second", "third", "fourth", "fifth", "last"]}}
    add("CASUALTIES", [count, {"IS_TITLE": True}, {"LOWER": {"IN": count_nouns}}], "casualty-count")
    add("CASUALTIES", [count, {"LIKE_NUM": True}, {"IS_TITLE": True}, {"LOWER": {"IN": count_nouns}}],
        "casualty-count")
    add("CASUALTIES", [count, {"ORTH": {"IN": NATIONALS}}], "casualty-count")
    add("CASUALTIES", [count, {"LIKE_NUM": True}, {"ORTH": {"IN": NATIONALS}}], "casualty-count")
    # "750 deaths", "five dead": the number counts the people
    not_a_year = {"LIKE_NUM": True, "SHAPE": {"NOT_IN": ["dddd"]}}
    add("CASUALTIES", [not_a_year, {"LOWER": {"IN": ["deaths", "fatalities", "injuries", "dead", "injured",
                                                     "wounded"]}}], "casualty-count@:-1")
    add("CASUALTIES", [{"LIKE_NUM": True}, {"LOWER": "other"}, {"LOWER": {"IN": count_nouns}}], "casualty-count")
    # "five seriously injured", "the three deceased", "Four of the deceased", "seven more were injured",
    # "thousands of Swedes": the count of the people harmed or gathered
    how = {"LOWER": {"IN": ["seriously", "critically", "badly", "slightly", "fatally", "severely", "gravely"]}}
    add("CASUALTIES", [not_a_year, how, {"LOWER": {"IN": ["injured", "wounded", "hurt"]}}], "casualty-count@:1")
    add("CASUALTIES", [not_a_year, {"LOWER": "deceased"}], "casualty-count@:1")
    add("CASUALTIES", [not_a_year, {"LOWER": "of"}, {"LOWER": "the"},
                       {"LOWER": {"IN": ["deceased", "dead", "victims", "injured", "wounded"]}}], "casualty-count@:1")
    add("CASUALTIES", [not_a_year, {"LOWER": {"IN": ["more", "others"]}},
                       {"LOWER": {"IN": ["were", "are", "was", "have", "had", "died"]}}], "casualty-count@:1")
    add("CASUALTIES", [{"LOWER": {"IN": ["dozens", "hundreds", "thousands", "millions", "tens"]}}, {"LOWER": "of"},
                       {"ORTH": {"IN": NATIONALS}}], "casualty-count")
    add("CASUALTIES", [{"LIKE_NUM": True}, {"LOWER": "security"}, {"LOWER": "forces"}], "casualty-count")
    # a bare number right after a verb of harm ("killed twelve", "wounded 110"): the number is the count
    harm = ["killed", "killing", "kills", "kill", "wounded", "wounding", "injured", "injuring", "arrested",
            "detained", "displaced", "evacuated", "rescued"]
    add("CASUALTIES", [{"LOWER": {"IN": harm}}, {"LIKE_NUM": True}], "casualties-after-verb@1:")
    add("CASUALTIES", [{"LOWER": {"IN": harm}}, {"LOWER": {"IN": ["at", "more", "over", "about", "around",
                                                                   "nearly", "some"]}},
                       {"LOWER": {"IN": ["least", "than"]}, "OP": "?"}, {"LIKE_NUM": True}],
        "casualties-after-verb@-1:")
    # "190 were dead", "Dozens died": the number, then the verb of harm
    add("CASUALTIES", [{"LIKE_NUM": True}, {"LOWER": {"IN": ["were", "are", "was", "have", "had"]}},
                       {"LOWER": {"IN": ["been", "reportedly", "confirmed", "reported", "later", "also", "taken",
                                         "seriously", "critically", "badly", "slightly", "fatally", "pronounced",
                                         "found", "declared"]}, "OP": "*"},
                       {"LOWER": {"IN": ["dead", "killed", "injured", "wounded", "arrested", "detained", "hurt",
                                         "hospitalised", "hospitalized", "missing", "stabbed", "shot"]}}],
        "casualties-before-verb@:1")
    # "at least five died", "one drowned": a count, not a year ("In 2019 died"), right before the death's verb
    add("CASUALTIES", [not_a_year, {"LOWER": {"IN": ["died", "perished", "drowned"]}}], "casualties-before-verb@:1")
    # the people counted by a noun of two words ("fourteen police officers", "three aid workers")
    add("CASUALTIES", [{"LIKE_NUM": True, "OP": "+"},
                       {"LOWER": {"IN": ["police", "security", "aid", "health", "rescue", "medical", "border",
                                         "army", "government", "prison", "election", "media", "fire"]}},
                       {"LOWER": {"IN": ["officers", "officer", "personnel", "workers", "guards", "forces",
                                         "soldiers", "staff", "officials", "agents", "fighters"]}}], "casualty-count")
    for many in ["dozens", "hundreds", "thousands", "scores"]:
        add("CASUALTIES", [{"LOWER": many}, {"LOWER": {"IN": ["died", "dead", "killed", "were", "injured",
                                                            "wounded", "fled"]}}], "casualties-before-verb@:1")
    for many in ["dozens", "hundreds", "thousands", "scores"]:
        for noun in ["people", "civilians", "soldiers", "protesters", "residents", "troops", "children", "migrants",
                     "refugees", "fighters"]:
            add("CASUALTIES", f"{many} of {noun}", "casualty-count")

    # amounts of things, not people ("472 drones", "41 Russian warplanes", "450 square kilometers"): AMOUNT holds
    # the weapon or thing it counts, which keeps its own label
    things = ["drones", "missiles", "rockets", "shells", "bombs", "warplanes", "aircraft", "planes", "jets",
              "helicopters", "tanks", "vehicles", "trucks", "artillery", "guns", "rifles", "weapons", "mines",
              "landmines", "grenades", "ships", "boats", "vessels", "buildings", "homes", "houses", "schools",
              "hospitals", "bridges", "apartments", "shops", "villages", "towns", "settlements", "tons", "tonnes",
              "barrels", "kilograms", "kilos", "dollars", "euros", "rounds", "munitions", "launchers",
              "ambulances", "cars", "buses", "trains", "wagons", "targets", "positions", "facilities", "depots",
              "airfields", "substations"]
    kinds = ["armoured", "armored", "fighter", "ballistic", "cruise", "residential", "unmanned", "anti-tank"]
    # few distinct word tests, since the fast matcher has room for 64 in all: "square" and the kinds are counted
    # words too ("450 square kilometers" and "two armoured vehicles" hold "450 square" and "two armoured", which
    # the longer match of the same label swallows)
    counted = {"LOWER": {"IN": things + kinds + ["hectares", "acres", "km²", "km2", "square"]}}
    number = {"LIKE_NUM": True, "OP": "+"}
    add("AMOUNT", [number, counted, {"LOWER": {"IN": ["kilometers", "kilometres", "km", "miles"]}}], "amount-area")
    add("AMOUNT", [number, counted], "amount-things")
    add("AMOUNT", [number, {"IS_TITLE": True}, counted], "amount-things")  # "41 Russian warplanes"
    add("AMOUNT", [number, counted, counted], "amount-things")  # "two armoured vehicles"
    for many in ["dozens", "hundreds", "thousands"]:
        for noun in things:
            add("AMOUNT", f"{many} of {noun}", "amount-things")

    for d in DAYS:
        add("TIME", d, "day")
        for part in ["morning", "afternoon", "evening", "night"]:
            add("TIME", f"{d} {part}", "day-part")
    months = MONTHS + ["May"]
    day = {"SHAPE": {"IN": ["d", "dd"]}}
    year = {"SHAPE": "dddd"}
    # "May" alone is a month only after a word that takes a date ("in May"; not "Theresa May's")
    add("TIME", [{"LOWER": {"IN": BEFORE_A_MONTH}}, {"ORTH": "May"}], "date@1:")
    for tail in ([], [day], [day, {"ORTH": ","}, year], [day, year], [year]):
        add("TIME", [{"ORTH": {"IN": months if tail else MONTHS}}] + tail, "date")
        # a dateline: "Thursday, January 24, 2019"
        add("TIME", [{"ORTH": {"IN": DAYS}}, {"ORTH": ","}, {"ORTH": {"IN": months}}] + tail, "date")
    for when in ("early", "late", "mid", "mid-"):
        for m in months:
            add("TIME", f"{when} {m}", "part-of-month")
    add("TIME", [day, {"ORTH": {"IN": months}}], "date")
    add("TIME", [day, {"ORTH": {"IN": months}}, year], "date")
    # years and hours are closed lists: phrases are far cheaper than token patterns
    for year in range(1900, 2041):
        add("TIME", str(year), "year")
    for hour in range(1, 13):
        for suffix in ("am", "pm", "a.m.", "p.m."):
            add("TIME", f"{hour}{suffix}", "clock")
            add("TIME", f"{hour} {suffix}", "clock")
    # a clock time, with what is written after it: "20:00", "10:39 a.m. local time", "19:45 CEST", "7:30 a.m. EDT"
    clock = {"SHAPE": {"IN": ["d:dd", "dd:dd", "d:ddxx", "dd:ddxx"]}}
    half = {"LOWER": {"IN": ["a.m.", "p.m.", "am", "pm"]}}
    zone = {"ORTH": {"IN": TIME_ZONES}}
    local = [{"LOWER": "local"}, {"LOWER": "time"}]
    for tail in ([], [half], [zone], [half, zone], local, [half, *local]):
        add("TIME", [clock, *tail], "clock")
    for t in RELATIVE_TIMES:
        add("TIME", t, "relative-time")
    # the whole expression, as the guidelines draw it: "early yesterday afternoon", "late Tuesday night", "early
    # evening", "late last July", "That September", "January of this year", "the 13th century", "the weekend"
    edge = {"LOWER": {"IN": ["early", "late"]}}
    part = {"LOWER": {"IN": ["morning", "afternoon", "evening", "night"]}}
    add("TIME", [edge, {"LOWER": {"IN": ["yesterday", "today", "tomorrow"]}}, part], "relative-time")
    add("TIME", [{"LOWER": {"IN": ["yesterday", "tomorrow"]}}, part], "relative-time")
    add("TIME", [edge, {"ORTH": {"IN": DAYS}}, part], "day-part")
    add("TIME", [edge, part], "relative-time")
    add("TIME", [{"LOWER": "the"}, part], "relative-time@1:")
    add("TIME", [{"LOWER": "the"}, {"LOWER": "weekend"}], "relative-time@1:")
    add("TIME", [{"LOWER": {"IN": ["early", "late", "mid"]}}, {"LOWER": {"IN": ["last", "this", "next"]}},
                 {"ORTH": {"IN": MONTHS}}], "date")
    add("TIME", [{"LOWER": {"IN": ["early", "late", "mid"]}}, {"LOWER": {"IN": ["last", "this", "next"]}},
                 {"LOWER": {"IN": ["year", "week", "month"]}}], "relative-time")
    add("TIME", [{"LOWER": {"IN": ["that", "last", "next", "this"]}}, {"ORTH": {"IN": MONTHS}}], "date")
    this_year = [{"LOWER": "of"}, {"LOWER": {"IN": ["this", "last", "next", "that"]}}, {"LOWER": "year"}]
    add("TIME", [{"ORTH": {"IN": months}}, *this_year], "date")
    add("TIME", [{"ORTH": {"IN": months}}, day, *this_year], "date")
    ordinals = [f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
                for n in range(1, 22)]
    add("TIME", [{"LOWER": {"IN": ordinals}}, {"LOWER": {"IN": ["century", "centuries"]}}], "date")

    # an abbreviation in capitals is matched as written: "US" is a place, "us" a pronoun
    for name in [name for line in PLACES for name in _split_places(line)] + more_places():
        add("PLACE", _as_written(name) if _is_abbreviation(name) else name, "gazetteer")

    # a group's name before the people it names is their phrase ("ISIS fighters", "Taliban militants", "Hamas
    # members"), marked whole as the guidelines' fewest words that name them, not the name alone
    members = ["fighters", "militants", "members", "supporters", "commanders", "commander", "gunmen", "detainees",
               "prisoners", "remnants", "elements", "militia", "militiamen", "operatives", "affiliates"]
    for group in sorted(GROUPS):  # phrases (matched in lower case: "isis fighters" is no one else's)
        for noun in members:
            add("ACTOR", f"{group} {noun}", "group-members")
    # a group's name alone, not before a word of its members' phrase (that phrase is the span: "captured ISIS
    # fighters"); the next word is matched, not suggested
    for group in sorted(GROUPS):
        words = _as_written(group) if _is_abbreviation(group) else [
            {"LOWER": t["ORTH"].lower()} for t in _as_written(group)]
        add("ACTOR", [*words, {"LOWER": {"NOT_IN": members}}], "actor@:-1")
        # and as a phrase, for a name that ends the text: it gives way to any other match over it (YIELDS)
        add("ACTOR", _as_written(group) if _is_abbreviation(group) else group, "actor-end")
    for a in ACTOR_LIST:
        if a in GROUPS:
            continue
        if a.lower() not in IN_CONTEXT["ACTOR"]:
            add("ACTOR", _as_written(a) if _is_abbreviation(a) else a,
                "actor-deed" if a in DEEDS else "actor-institution")
    add("ACTOR", [{"LOWER": {"IN": SUSPECT_AFTER}}, {"LOWER": "suspect"}], "actor-deed@1:")
    capitals = [d.upper() for d in DEMONYMS if _is_abbreviation(d.upper())]  # US, U.S., UN: as written
    for demonym in DEMONYMS:
        for noun in ACTOR_NOUNS:
            if demonym.upper() not in capitals:
                add("ACTOR", f"{demonym} {noun}", "demonym-force")
    one_word = [n for n in ACTOR_NOUNS if " " not in n]
    add("ACTOR", [{"ORTH": {"IN": capitals}}, {"LOWER": {"IN": one_word}}], "demonym-force")
    add("ACTOR", [{"ORTH": {"IN": capitals}}, {"LOWER": {"IN": ["security", "air"]}},
                  {"LOWER": {"IN": ["forces", "force"]}}], "demonym-force")
    # a title and a name: the name is the actor ("President Vladimir Putin" -> "Vladimir Putin")
    titles = ["president", "minister", "chancellor", "king", "general", "commander", "governor", "mayor",
              "spokesman", "spokeswoman", "spokesperson", "senator", "ambassador", "secretary", "leader", "chief",
              "envoy", "prosecutor", "superintendent", "colonel", "admiral", "state", "deputy", "vice"]
    # honorifics are no names: "Deputy Lord Mayor" names nobody
    honorifics = ["lord", "lady", "sir", "dame", "mr", "mrs", "ms", "dr", "mr.", "mrs.", "ms.", "dr."]
    add("ACTOR", [{"LOWER": {"IN": titles}}, {"IS_TITLE": True, "LOWER": {"NOT_IN": titles + honorifics},
                                              "OP": "+"}], "title-name@1:")
    # places the gazetteer does not know, from the words around them
    kinds = {"LOWER": {"IN": ["province", "district", "governorate", "county"]}}
    name = {"IS_TITLE": True, "IS_STOP": False}
    add("PLACE", [name, kinds], "place-kind@:-1")
    add("PLACE", [name, name, kinds], "place-kind@:-1")
    add("PLACE", [{"LOWER": {"IN": ["town", "city", "village", "port", "district", "province", "suburb"]}},
                  {"LOWER": "of"}, {"IS_TITLE": True, "IS_STOP": False, "OP": "+"}], "place-kind@2:")
    # a wire report's dateline: "KHARAN, March 3 (Annotator Wire) -", "NEW DELHI, June 9" (the gazetteer's
    # names are matched in any case; these are the others)
    capital = {"IS_UPPER": True, "IS_ALPHA": True,  # not a clock's "5:03 AM, February 10"
               "LOWER": {"NOT_IN": sorted({"am", "pm", *(z.lower() for z in TIME_ZONES)})}}
    add("PLACE", [capital, {"ORTH": ","}, {"ORTH": {"IN": MONTHS}}, day], "place-dateline@:1")
    add("PLACE", [capital, capital, {"ORTH": ","}, {"ORTH": {"IN": MONTHS}}, day], "place-dateline@:2")
    # a name that ends its phrase after "in" or "near" ("in Gonesse,", "near Fairfield, California", "in Chippewa
    # Falls."), and a town before its state ("Dayton, Ohio"): the guidelines mark every named place. Not a day, a
    # month, a people's name or language ("in English."), a faith or an assembly ("in Islam.", "in Congress,"),
    # nor a name before "'s" ("in Trump's"): a person's, as often as a place's
    unnamed = sorted({*DATE_WORDS, *DEMONYMS, *NOT_PLACES})
    town = {"IS_TITLE": True, "IS_STOP": False, "LOWER": {"NOT_IN": unnamed}}
    ends = {"ORTH": {"IN": [",", ".", ";", ":", ")"]}}
    add("PLACE", [{"LOWER": {"IN": ["in", "near"]}}, town, ends], "place-in@1:-1")
    add("PLACE", [{"LOWER": {"IN": ["in", "near"]}}, town, town, ends], "place-in@1:-1")
    add("PLACE", [town, {"ORTH": ","}, {"ORTH": {"IN": [r for r in regions() if " " not in r]}}], "place-town@:1")
    # a named site: a name and the kind of place it is, whole ("Bradley International Airport", "Hartford
    # Hospital", "Karl Marx Avenue", "Forbury Gardens"), not part of a longer name ("Thames Valley Police",
    # "Airport Road"), and not a kind that as often names an organisation ("National Hurricane Center")
    site_name = {"IS_TITLE": True, "IS_STOP": False, "LOWER": {"NOT_IN": sorted({*unnamed, *SITES})}}
    site = {"ORTH": {"IN": sorted(s.title() for s in SITES)}}
    for n in range(1, 4):
        for before in ({"IS_TITLE": False}, {"IS_STOP": True}):
            add("PLACE", [before, *[site_name] * n, site, {"IS_TITLE": False}], "place-site@1:-1")
    # a name: capitalised words that are no day, month, people or faith ("Nabil Hasan al-Quaety", "Paweł
    # Adamowicz", "Thames Valley Police"), after a word that is no preposition of place or time ("in Minsk")
    # the whole name (not after another capitalised word, but after a title: "President Trump" -> "Trump"),
    # without titles ("Roman Catholic Pope Francis" -> "Pope Francis" is no name of ours)
    person = {"IS_TITLE": True, "IS_STOP": False, "LOWER": {"NOT_IN": sorted(
        {*unnamed, *(n.lower() for n in NATIONALS), *titles, *honorifics, *TITLE_WORDS})}}
    not_where = {"IS_TITLE": False, "LOWER": {"NOT_IN": sorted(NOT_BEFORE_A_NAME)}}
    after_title = {"LOWER": {"IN": sorted({*titles, *TITLE_WORDS})}}
    particle = {"LOWER": {"IN": ["al", "el", "bin", "ibn", "abu", "abd"]}}
    # ... to its last word: not a name's possessive or the first half of a compound ("Trump's chances",
    # "Parkinson's disease", "the Russo-Japanese War"), which name no one who acts or is acted on. Of one to four
    # words, each length a pattern of its own: fixed-length patterns are matched over a whole batch with numpy,
    # where an open-ended one ran a Python loop from every word and made pre-annotation five times slower
    tail = {"IS_TITLE": False, "LOWER": {"NOT_IN": ["'s", "’s", "'", "’", "-", "–"]}}
    names = [[person] * n for n in range(1, 5)] + [[person] * n + [particle, {"ORTH": "-"}, person]
                                                    for n in range(1, 3)]
    for before in (not_where, after_title):
        for name in names:
            add("ACTOR", [before, *name, tail], "name@1:-1")
    for name in names:
        add("ACTOR", [{"LOWER": "by"}, *name, tail], "name-agent@1:-1")
    # what an attack struck, by name, is a building's or a body's after "the" ("struck the Jolo Cathedral",
    # "attacks on the United States Embassy"); a bare name there is as often a town's ("shelled Bakhmut") or, in
    # politics, a rival's ("Biden attacked Trump"); the whole phrase, not a name before its noun ("the Camp
    # David site")
    for name in names:
        for end in ({"IS_PUNCT": True}, {"IS_STOP": True, "IS_TITLE": False, "LOWER": {"NOT_IN": ["'s", "’s"]}}):
            add("TARGET", [{"LOWER": "the"}, *name, end], "name-struck@1:-1")
    for t in TARGETS:
        if t not in IN_CONTEXT["TARGET"]:
            add("TARGET", t, "target-word")
    return lines


# Multi-word place names that must stay whole when a gazetteer line is split on spaces.
MULTIWORD_PLACES = sorted({
    "Burkina Faso", "Central African Republic", "Democratic Republic of the Congo", "Costa Rica", "Czech Republic",
    "El Salvador", "Ivory Coast", "New Zealand", "North Korea", "North Macedonia", "Saudi Arabia", "Sierra Leone",
    "South Africa", "South Korea", "South Sudan", "Sri Lanka", "United Arab Emirates", "United Kingdom",
    "United States", "United States of America", "Buenos Aires", "Phnom Penh", "Addis Ababa", "New Delhi",
    "Tel Aviv", "Kuwait City",
    "Mexico City", "The Hague", "Panama City", "Cape Town", "Dar es Salaam", "Abu Dhabi", "Washington, D.C.",
    "New York", "Gaza Strip", "West Bank", "Golan Heights", "Deir ez-Zor", "Jammu and Kashmir", "Middle East",
    "Persian Gulf", "Strait of Hormuz", "Red Sea", "Black Sea", "South China Sea", "Horn of Africa", "West Africa",
    "East Africa", "Central Asia", "Southeast Asia", "Latin America", "St. Petersburg", "Saint Petersburg",
    "Northern Ireland", "Los Angeles", "Hong Kong", "New York City", "Mediterranean Sea", "Caspian Sea", "Arabian Sea",
    "Sea of Azov", "Gulf of Aden", "Gulf of Mexico",
    "New Hampshire", "New Jersey", "New Mexico", "North Carolina", "North Dakota", "Rhode Island", "South Carolina",
    "South Dakota", "West Virginia", "British Columbia", "New South Wales",
}, key=lambda name: (-len(name), name))  # longest first, each time in the same order


def _split_places(line: str, multiword: list[str] | None = None) -> list[str]:
    """A gazetteer line's names: its words, except the multi-word names (MULTIWORD_PLACES unless told) kept whole."""
    names = []
    rest = " " + line.strip() + " "
    for name in MULTIWORD_PLACES if multiword is None else multiword:
        token = f" {name} "
        while token in rest:
            names.append(name)
            rest = rest.replace(token, " ", 1)
    names += rest.split()
    return names


def main() -> None:
    lines = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for entry in lines:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} patterns to {OUT}")


if __name__ == "__main__":
    main()
