package main

// rareNotoScripts are the further scripts of Debian's fonts-noto-core the
// non-digit material draws from: small alphabets and syllabaries, many of
// them with strokes as simple as a digit's, so that the model learns what
// a digit is rather than what the common scripts are not. None of them is
// a held-out script (Armenian, Ethiopic, Bengali, Malayalam, Tifinagh) in
// another font.
var rareNotoScripts = [][2]string{
	{"NotoSansOldItalic", "Old_Italic"}, {"NotoSansPhoenician", "Phoenician"}, {"NotoSansGothic", "Gothic"},
	{"NotoSansLycian", "Lycian"}, {"NotoSansCarian", "Carian"}, {"NotoSansLydian", "Lydian"},
	{"NotoSansDeseret", "Deseret"}, {"NotoSansShavian", "Shavian"}, {"NotoSansOsmanya", "Osmanya"},
	{"NotoSansOgham", "Ogham"}, {"NotoSansLinearB", "Linear_B"}, {"NotoSansOldTurkic", "Old_Turkic"},
	{"NotoSansOldHungarian", "Old_Hungarian"}, {"NotoSansTagalog", "Tagalog"},
	{"NotoSansBuginese", "Buginese"}, {"NotoSansSundanese", "Sundanese"}, {"NotoSansCham", "Cham"},
	{"NotoSansTaiLe", "Tai_Le"}, {"NotoSansKayahLi", "Kayah_Li"}, {"NotoSansLepcha", "Lepcha"},
	{"NotoSansLimbu", "Limbu"}, {"NotoSansBrahmi", "Brahmi"}, {"NotoSansKharoshthi", "Kharoshthi"},
	{"NotoSansSharada", "Sharada"}, {"NotoSansOldPermic", "Old_Permic"},
	{"NotoSansOldSouthArabian", "Old_South_Arabian"}, {"NotoSansOldNorthArabian", "Old_North_Arabian"},
	{"NotoSansUgaritic", "Ugaritic"}, {"NotoSansAvestan", "Avestan"},
	{"NotoSansImperialAramaic", "Imperial_Aramaic"}, {"NotoSansPalmyrene", "Palmyrene"},
	{"NotoSansNabataean", "Nabataean"}, {"NotoSansHatran", "Hatran"}, {"NotoSansElbasan", "Elbasan"},
	{"NotoSansCaucasianAlbanian", "Caucasian_Albanian"}, {"NotoSansMandaic", "Mandaic"},
	{"NotoSansMeeteiMayek", "Meetei_Mayek"}, {"NotoSansSaurashtra", "Saurashtra"},
	{"NotoSansRejang", "Rejang"}, {"NotoSansBatak", "Batak"}, {"NotoSansBuhid", "Buhid"},
	{"NotoSansHanunoo", "Hanunoo"}, {"NotoSansTagbanwa", "Tagbanwa"}, {"NotoSansTakri", "Takri"},
	{"NotoSansTirhuta", "Tirhuta"}, {"NotoSansModi", "Modi"}, {"NotoSansKaithi", "Kaithi"},
	{"NotoSansKhojki", "Khojki"}, {"NotoSansMahajani", "Mahajani"}, {"NotoSansMultani", "Multani"},
	{"NotoSansSoraSompeng", "Sora_Sompeng"}, {"NotoSansWarangCiti", "Warang_Citi"},
	{"NotoSansWancho", "Wancho"}, {"NotoSansMedefaidrin", "Medefaidrin"}, {"NotoSansMiao", "Miao"},
	{"NotoSansMro", "Mro"}, {"NotoSansBassaVah", "Bassa_Vah"}, {"NotoSansNewTaiLue", "New_Tai_Lue"},
	{"NotoSansTaiViet", "Tai_Viet"}, {"NotoSansTaiTham", "Tai_Tham"}, {"NotoSansChakma", "Chakma"},
	{"NotoSansMarchen", "Marchen"}, {"NotoSansNewa", "Newa"}, {"NotoSansSiddham", "Siddham"},
	{"NotoSansGrantha", "Grantha"}, {"NotoSansGunjalaGondi", "Gunjala_Gondi"},
	{"NotoSansMasaramGondi", "Masaram_Gondi"}, {"NotoSansPauCinHau", "Pau_Cin_Hau"},
	{"NotoSansSoyombo", "Soyombo"}, {"NotoSansZanabazarSquare", "Zanabazar_Square"},
	{"NotoSansPhagsPa", "Phags_Pa"}, {"NotoSansMendeKikakui", "Mende_Kikakui"}, {"NotoSansCypriot", "Cypriot"},
	{"NotoSansOldPersian", "Old_Persian"}, {"NotoSansAnatolianHieroglyphs", "Anatolian_Hieroglyphs"},
	{"NotoSansInscriptionalPahlavi", "Inscriptional_Pahlavi"},
	{"NotoSansInscriptionalParthian", "Inscriptional_Parthian"}, {"NotoSansPsalterPahlavi", "Psalter_Pahlavi"},
	{"NotoSansOldSogdian", "Old_Sogdian"}, {"NotoSansSogdian", "Sogdian"}, {"NotoSansElymaic", "Elymaic"},
	{"NotoSansManichaean", "Manichaean"}, {"NotoSansBhaiksuki", "Bhaiksuki"},
	{"NotoSansHanifiRohingya", "Hanifi_Rohingya"}, {"NotoSansSylotiNagri", "Syloti_Nagri"},
	{"NotoSansKhudawadi", "Khudawadi"}, {"NotoSansPahawhHmong", "Pahawh_Hmong"}, {"NotoSerifAhom", "Ahom"},
	{"NotoSerifDogra", "Dogra"}, {"NotoSerifYezidi", "Yezidi"},
}
