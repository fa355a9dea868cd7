package rostertest

import "strings"

// Names as UK schools hold them: Welsh, Irish, Polish, Vietnamese and
// others beside the common English ones, with apostrophes, hyphens,
// spaces and a suffix after a comma.
var (
	givenFemale = []string{"Siân", "Zoë", "Aoife", "Niamh", "Chloë", "Renée", "Anaïs", "Olivia", "Amelia", "Isla", "Ava",
		"Freya", "Rhiannon", "Aleksandra", "Zofia", "Oluwaseun", "Fatima", "Aisha", "Mai", "Thảo", "Eleanor", "Grace", "Mary Rose", "Saoirse"}
	givenMale = []string{"Łukasz", "Seán", "Dafydd", "Gruffydd", "Oliver", "Harry", "Jack", "Alexander", "Mohammed", "Muhammad",
		"Bartłomiej", "José", "Oisín", "Tomás", "William", "Benjamin", "Minh", "Jean-Luc", "Chidi", "Noah", "Leo", "Christopher"}
	familyNames = []string{"O'Brien", "Nguyễn", "Smith, Jr", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas",
		"Kowalski", "Wiśniewska", "Ó Súilleabháin", "Müller", "Patel", "Khan", "Begum", "Ahmed", "Ali", "MacDonald", "Fitzgerald-Hughes",
		"Trần", "Okafor", "D'Souza", "ap Rhys", "Van der Berg", "Lewandowski", "Żółć", "McCarthy", "Roberts", "Hughes"}
	preferred = map[string]string{"Alexander": "Alex", "Christopher": "Chris", "William": "Will", "Benjamin": "Ben",
		"Aleksandra": "Ola", "Eleanor": "Ellie", "Oluwaseun": "Seun", "Bartłomiej": "Bartek"}
	schoolNames = []string{"Oakwood Academy, Leeds", "St Mary's Catholic Primary School", "Ysgol Bro Dinefwr", "Northfield High School",
		"Holy Trinity CofE Primary", "Kingsmead Academy"}
)

type subject struct {
	name, code string
	term       int // 0: the whole year; 1 to 3: that term only
}

var subjects = []subject{
	{"Mathematics", "Ma", 0}, {"English", "En", 0}, {"Science", "Sc", 0}, {"History", "Hi", 0}, {"Geography", "Gg", 0},
	{"French", "Fr", 0}, {"Art & Design", "Ar", 0}, {"Music", "Mu", 0}, {"Computing", "Co", 0}, {"Physical Education", "PE", 0},
	{"Religious Education", "RE", 0}, {"Design & Technology", "DT", 0}, {"Spanish", "Sp", 0}, {"Drama", "Dr", 1},
	{"PSHE", "PS", 3}, {"Welsh", "Cy", 2},
}

// folder turns names into ASCII usernames: letters lose their accents,
// anything else but letters and digits goes.
var folder = strings.NewReplacer(
	"â", "a", "á", "a", "à", "a", "ä", "a", "ã", "a", "ą", "a", "é", "e", "è", "e", "ê", "e", "ë", "e", "ę", "e", "ễ", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o", "ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ł", "l", "ń", "n", "ñ", "n", "ś", "s", "ź", "z", "ż", "z", "ć", "c", "ç", "c", "ả", "a", "ạ", "a", "ầ", "a", "ồ", "o",
	"ư", "u", "ơ", "o", "đ", "d", "ý", "y",
)

func fold(name string) string {
	var b strings.Builder
	for _, r := range folder.Replace(strings.ToLower(name)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}
