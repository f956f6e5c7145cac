//! Small word lists written for Scry's generator (no external data needed).

/// Common English words that appear in real domain names.
pub(crate) const COMMON: &str = "
able acme active advance aero agile air alpha amber anchor angel apex apple aqua arc arch
arrow art artisan aspen atlas aura aurora autumn avenue axis azure bay beacon bean bear beauty
bee bell berry best big bird birch bit black blaze bloom blossom blue bold bolt bond boost
bottle boulder box brave bread breeze brick bridge bright brook brown buck buddy buffalo bull
burst butter cabin cactus cake calm camel camp candle canyon cape capital card care cargo
carrot castle cat cedar central chain chalk champion charm cherry chess chief circle citrus
city clean clear cliff cloud clover coast cobalt coffee comet common compass copper coral core
corner cosmic cottage country cove craft crane creative creek crest crown crystal cube cubic
curve cyber daily daisy dawn deep delta den desert design diamond digital direct dock dog dove
dragon dream drift drop eagle earth east easy echo eco edge elder element elite elm ember
emerald empire energy epic equal ever evergreen falcon farm fast feather fern field fire first
fish flame flash fleet flint flow flower fly focus forest forge fortune fox fresh frost fruit
fusion galaxy garden gate gem giant ginger glacier glass glen global glow gold golden good
grace grain grand granite grape graph green grid grove guide gulf habit harbor harvest haven
hawk heart hearth helix hero hill hive home honey hope horizon house hub hunter icon idea
indigo infinite inner iron island ivory jade jasmine jet jewel journey joy jungle key kind king
kite lab lake lamp land lantern laser leaf legacy lemon level light lime line lion little live
local lodge logic lotus lucky lunar magic main maple marble marine market marsh meadow metro
micro mighty mill mind mint mirror mission modern moon moss motion mountain native nature
navy nest net new next noble north nova oak ocean olive omega one open orange orbit orchard
origin oasis owl pacific palm panda paper park path peak pearl pebble pepper pilot pine pioneer
pixel planet plum polar pond prime pulse pure quantum quest quick quiet rabbit radiant rain
rainbow ranch rapid raven ray red reef ridge rise river road robin rock rocket root rose royal
ruby rush safe sage sail salt sand sapphire scout sea secret seed shadow shell shine shore
silver simple sky slate smart smile snow solar solid sonic soul south spark spice spring
spruce square star steel stone storm stream street summit sun sunny supreme swan sweet swift
table tall tangerine teal tech terra thunder tide tiger timber tiny top tower trail tree tribe
tropic true trust tulip turtle twin ultra union unity urban valley vast velvet venture vertex
vibe view villa vine violet vision vista vital vivid wave west whale white wild willow wind
wing winter wise wolf wonder wood world yellow young zen zenith zero zest
";

/// Business and activity words, mostly used as a second element.
pub(crate) const BUSINESS: &str = "
agency analytics apparel apps arts associates auto bakery bank barber bistro boutique brewing
builders cafe capital care catering center clinic cloud club coaching collective company
consulting construction counseling creations dental design designs dev digital electric
engineering events express farm fashion fitness flooring foods foundation gallery games garage
group health hosting hotel insurance interiors investments kitchen labs landscaping law legal
lending living logistics market marketing media motors movers music network news nutrition
partners pets photo photography plumbing press print productions properties realty records
rentals repair restaurant roofing salon school security services shop software solutions spa
sports store studio studios supply systems tax tech therapy tours trading training travel
ventures vet wellness works yoga
";

/// Non-English words for localised names (German, French, Spanish, Italian, Dutch).
pub(crate) const LOCALE: &str = "
haus garten bau werk stadt berg wald blume sonne licht markt laden kunst hof brot apotheke
reise auto technik maison jardin soleil fleur boulangerie cuisine atelier voyage conseil mer
montagne lumiere ciel bois pierre casa jardin sol flor cocina viaje tienda mundo playa luna
monte verde azul rojo vino pane forno bottega cucina viaggio mare stella bella sole fiore
terra piazza huis tuin bloem winkel fiets water zee licht bakker reis kaas groen
";

/// Cities used in local-business names.
pub(crate) const CITIES: &str = "
austin boston chicago dallas denver houston miami seattle portland atlanta phoenix detroit
nashville orlando tampa raleigh oakland sacramento brooklyn queens london leeds bristol
manchester dublin glasgow paris lyon marseille nantes berlin hamburg munich koeln wien zurich
madrid barcelona sevilla valencia roma milano torino napoli amsterdam rotterdam utrecht
brussels antwerp oslo stockholm helsinki warsaw prague lisbon porto athens istanbul toronto
vancouver montreal calgary sydney melbourne brisbane perth auckland dubai singapore tokyo
osaka seoul mumbai delhi capetown lagos nairobi
";

/// Given names.
pub(crate) const FIRST: &str = "
james john robert michael william david richard joseph thomas charles daniel matthew anthony
mark paul steven andrew joshua kevin brian george mary patricia jennifer linda elizabeth
barbara susan jessica sarah karen lisa nancy betty sandra ashley emily donna michelle carol
amanda melissa deborah laura rebecca sophie emma olivia lucas noah liam hugo louis chloe lea
lena jonas felix marco luca giulia sofia pablo diego carmen lucia sven lars anna eva nina
";

/// Family names.
pub(crate) const LAST: &str = "
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
gonzalez wilson anderson thomas taylor moore jackson martin lee thompson white harris clark
lewis robinson walker young allen king wright scott green baker adams nelson hill campbell
mitchell roberts carter phillips evans turner parker collins edwards stewart morris murphy
cook rogers morgan cooper peterson bailey reed kelly howard cox ward richardson watson brooks
wood james bennett gray hughes price sanders myers long ross foster mueller schmidt schneider
fischer weber meyer wagner becker dubois moreau laurent rossi russo ferrari bianchi jansen
devries bakker visser
";

/// Words phishing pairs with a brand.
pub(crate) const PHISH_KEYWORDS: &str = "
login signin verify verification secure security account accounts update support help
service services billing payment pay wallet auth authenticate confirm recovery unlock
alert notice center portal online web id access customer client helpdesk refund claim
delivery tracking parcel package reward bonus gift
";

/// Locale tags phishing appends (`brand-us`).
pub(crate) const PHISH_LOCALES: &str = "us uk ca au de fr es it nl eu intl global";

/// Words spam domains are built from.
pub(crate) const SPAM: &str = "
cheap best deal deals discount sale offer offers free bonus win winner prize cash loan loans
credit casino bet slots pills meds pharmacy rx diet slim weight keto crypto profit invest
forex trade earn money income rich luxury replica watches bags shoes outlet store shop mart
online hot top now today fast quick instant easy vip club promo coupon
";

/// Consonants and vowels for pronounceable coined names and DGA syllables.
pub(crate) const CONSONANTS: &[u8] = b"bcdfghjklmnprstvz";
/// Vowels.
pub(crate) const VOWELS: &[u8] = b"aeiou";

/// Splits a list into words.
pub(crate) fn list(s: &'static str) -> Vec<&'static str> {
    s.split_whitespace().collect()
}
