package eval

// culture is a naming tradition: given names, family names and syllables
// to invent more family names from. The lists were written for Mosaic's
// benchmarks from general knowledge; they are common names, not people.
type culture struct {
	name    string
	given   []string
	family  []string
	syll    []string // syllables for invented family names
	parts   int      // usual number of parts (2 or 3)
	patrony bool     // the middle part is another given name (father's name)
}

var cultures = []culture{
	{name: "arabic", parts: 3, patrony: true,
		given:  words("Ahmed Mohammed Mahmoud Omar Khalid Youssef Ibrahim Hassan Hussein Ali Tariq Walid Samir Nabil Karim Rami Fadi Hani Majid Salim Jamal Faisal Nasser Adel Bassam Ziad Imad Marwan Sami Fouad Hisham Ayman Hamza Bilal Anas Osama Amr Mazen Raed Fatima Aisha Mariam Layla Noor Huda Rania Dina Salma Yasmin Hiba Reem Lina Amal Samira Nadia Zainab Khadija Abdullah Abdulrahman Abdelaziz Mustafa Saleh Jaber Nizar Qasim"),
		family: words("Haddad Khoury Mansour Nasser Saleh Hamdan Qasim Darwish Shami Masri Tamimi Zoubi Jaber Harb Awad Khalil Najjar Sabbagh Hijazi Barakat Rahman Farouk Shaheen Suleiman Ghanem Sayegh Bitar Karam Aziz Othman Hakim Yassin Sharif Rashid Kabbani Jabri Hallaq Shalabi Dajani Khatib"),
		syll:   words("al ha ma da na sa ra ka ja ba fa ta za qa wi ri di ni si mi li bi hi ki sh ab ad ar as am an")},
	{name: "persian", parts: 2,
		given:  words("Reza Hossein Mehdi Ali Mohammad Hamid Saeed Amir Behzad Dariush Farhad Kourosh Arash Babak Kaveh Parviz Siamak Navid Omid Payam Shirin Maryam Fatemeh Zahra Leila Parisa Nasrin Roya Mina Azadeh Golnar Niloufar Behnaz Elham"),
		family: words("Ahmadi Hosseini Rezaei Moradi Karimi Jafari Rahimi Sadeghi Tehrani Mohammadi Kazemi Hashemi Ghorbani Rostami Shirazi Esfahani Yazdani Najafi Amini Bagheri Mousavi Farahani Ebrahimi Soltani Nouri Zand"),
		syll:   words("ra za ka ma sha ba da fa ha na va ja ta ghol par mir far zad bakh yar ani i")},
	{name: "turkish", parts: 2,
		given:  words("Mehmet Mustafa Ahmet Ali Huseyin Hasan Ibrahim Ismail Osman Yusuf Murat Emre Burak Can Cem Kemal Serkan Volkan Tolga Onur Fatma Ayse Emine Hatice Zeynep Elif Merve Esra Ozlem Derya Gul Selin"),
		family: words("Yilmaz Kaya Demir Sahin Celik Yildiz Yildirim Ozturk Aydin Ozdemir Arslan Dogan Kilic Aslan Cetin Kara Koc Kurt Ozkan Simsek Polat Erdogan Aksoy Korkmaz Tekin Gunes Bulut"),
		syll:   words("ka ya de mir oz tur ay dog kil as cet kor tek gun bul er han oglu lu")},
	{name: "russian", parts: 3, patrony: true,
		given:  words("Aleksandr Sergei Dmitri Andrei Alexei Ivan Mikhail Nikolai Vladimir Yuri Pavel Oleg Igor Viktor Konstantin Boris Anton Maxim Roman Denis Anna Olga Elena Tatiana Natalia Irina Svetlana Ekaterina Maria Yulia Ksenia Daria"),
		family: words("Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov Zakharov Zaitsev Solovyov Borisov Yakovlev Grigoriev Romanov"),
		syll:   words("ko ro va ni li mo so be ze ra to du gor lov kov nov sky rin shin chen")},
	{name: "ukrainian", parts: 2,
		given:  words("Oleksandr Serhiy Volodymyr Mykola Andriy Dmytro Yuriy Oleh Taras Bohdan Vasyl Petro Olena Oksana Iryna Natalia Tetiana Yulia Halyna Larysa"),
		family: words("Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Oliynyk Melnyk Boyko Koval Shevchuk Polishchuk Lysenko Marchenko Rudenko Savchenko Moroz Tkachuk Kravets"),
		syll:   words("ko va len bon tka kra oli mel boy sav mar ru chuk enko yuk")},
	{name: "chinese", parts: 2,
		given:  words("Wei Fang Min Jing Li Qiang Lei Jun Yang Yong Jie Tao Ming Chao Xiu Hua Ping Gang Hong Bo Hui Xin Lin Yan Jian Hao Yu Zhen Xiaoming Xiaohong Zhiwei Jianguo Guoqiang Haiyan Lijun"),
		family: words("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan"),
		syll:   words("zh x q w l ch s y")},
	{name: "korean", parts: 2,
		given:  words("Min-jun Seo-yeon Ji-hoon Ji-woo Hyun-woo Seo-jun Eun-ji Ji-min Soo-jin Young-ho Sung-min Dong-hyun Jae-won Hye-jin Kyung-soo Sang-woo"),
		family: words("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong"),
		syll:   words("kim pak cho jeo")},
	{name: "japanese", parts: 2,
		given:  words("Hiroshi Takashi Kenji Yuki Haruto Sota Daiki Kazuki Takumi Ryota Akira Satoshi Yuko Keiko Yui Aoi Hana Sakura Emi Naoko Mai Ayumi"),
		family: words("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa Ogawa Fujita Okada Goto Hasegawa"),
		syll:   words("ka ta na ma ya sa mo ri ki shi mi yo to ha fu ko mura moto da kawa yama")},
	{name: "vietnamese", parts: 3,
		given:  words("Anh Minh Huy Khoa Long Nam Phuc Quang Thanh Tuan Duc Hung Linh Lan Mai Hoa Huong Thu Trang Ngoc Van Thi"),
		family: words("Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly"),
		syll:   words("ng tr ph h")},
	{name: "indian", parts: 2,
		given:  words("Rahul Amit Rajesh Suresh Sanjay Vijay Anil Sunil Arjun Rohan Vikram Karan Nikhil Aditya Ravi Deepak Manoj Priya Anjali Pooja Neha Sunita Kavita Divya Lakshmi Meera Sneha Aarti"),
		family: words("Sharma Verma Gupta Singh Kumar Patel Shah Reddy Rao Nair Iyer Menon Joshi Mehta Desai Kapoor Malhotra Chopra Banerjee Chatterjee Mukherjee Das Bose Sinha Mishra Pandey Tiwari Agarwal Jain Pillai"),
		syll:   words("sha ra ma ku pa ta de me cha ba mu si na gu va ja dra nath wal kar")},
	{name: "pakistani", parts: 3,
		given:  words("Muhammad Imran Asif Kamran Faisal Naveed Shahid Tariq Zubair Usman Bilal Junaid Irfan Adnan Waqas Farhan Ayesha Sana Fatima Hina Saima Nadia Rabia Amna"),
		family: words("Khan Ahmed Iqbal Qureshi Malik Chaudhry Butt Rana Mirza Sheikh Siddiqui Hashmi Rizvi Abbasi Bhatti Awan Janjua Gondal Cheema Baig"),
		syll:   words("ka ra ma na za qu ri ha si bu ab ch")},
	{name: "afghan", parts: 2,
		given:  words("Ahmad Mohammad Abdul Gul Rahim Karim Nasir Wali Hamid Zalmai Najib Farid Habib Sayed Nazir Fawad Shafiq Zarghona Malalai Fariba Shabnam"),
		family: words("Popal Wardak Durrani Ahmadzai Safi Mohmand Kakar Achakzai Barakzai Popalzai Noorzai Alokozai Sultani Hotak Tokhi Yousafzai Stanikzai Samadi"),
		syll:   words("za wa ka ra du po mo ba no ha zai i")},
	{name: "somali", parts: 3, patrony: true,
		given:  words("Abdi Ahmed Ali Hassan Mohamed Omar Yusuf Abdirahman Abdullahi Ismail Farah Hussein Aden Mahad Liban Hodan Fadumo Amina Halima Sahra Ifrah Asha Hawa"),
		family: words("Farah Warsame Jama Osman Egal Abdi Hirsi Duale Samatar Gedi Nur Mohamud Elmi Barre Guled Dahir Ahmed Aden Hersi Ismail"),
		syll:   words("wa ra ja ma ga di hi sa du el ba")},
	{name: "hausa", parts: 2,
		given:  words("Abubakar Aminu Bello Garba Sani Usman Musa Ibrahim Yakubu Lawal Haruna Shehu Aisha Hauwa Zainab Fatima Hadiza Binta Maryam"),
		family: words("Abdullahi Bello Danjuma Dankwambo Yaradua Lawan Kano Sokoto Bauchi Dikko Ringim Gumi Shinkafi Bichi Tofa Dutse"),
		syll:   words("da ka ba ga sa ma tu ri ngi")},
	{name: "yoruba", parts: 2,
		given:  words("Adebayo Olumide Oluwaseun Babatunde Ayodele Olusegun Adewale Temitope Folake Yetunde Funmilayo Bukola Abiodun Kehinde Taiwo Damilola"),
		family: words("Adeyemi Okafor Ogunleye Adebisi Olawale Akinola Ogundipe Afolabi Balogun Ojo Adeleke Oladipo Fashola Obi Eze Nwosu Okonkwo Chukwu Nnamdi Okoro"),
		syll:   words("a de o la wa mi bi yo tu n ko ro ju")},
	{name: "swahili", parts: 2,
		given:  words("Juma Baraka Amani Hamisi Rashidi Bakari Jabari Kamau Mwangi Otieno Wanjiru Achieng Neema Zawadi Rehema Imani Halima"),
		family: words("Mwangi Kamau Otieno Odhiambo Kariuki Njoroge Wanjiku Omondi Mutua Kiprop Chebet Kipchoge Mbeki Nyerere Kikwete Magufuli"),
		syll:   words("ma ka mu ki wa nj o ri ngi chi")},
	{name: "spanish", parts: 3,
		given:  words("Jose Juan Carlos Luis Miguel Javier Antonio Francisco Manuel Pedro Alejandro Diego Pablo Sergio Jorge Maria Carmen Ana Laura Isabel Lucia Sofia Elena Marta Paula Rosa Teresa"),
		family: words("Garcia Rodriguez Martinez Lopez Gonzalez Hernandez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz Cruz Morales Reyes Gutierrez Ortiz Jimenez Ruiz Alvarez Castillo Romero Vargas Mendoza Herrera Medina Aguilar Navarro"),
		syll:   words("ga ro mar lo gon her pe san ra to flo ri go di cru mo re gu or ji ez")},
	{name: "portuguese", parts: 3,
		given:  words("Joao Pedro Paulo Lucas Gabriel Rafael Thiago Bruno Felipe Rodrigo Tiago Ana Beatriz Mariana Juliana Camila Fernanda Leticia Joana Ines"),
		family: words("Silva Santos Oliveira Souza Pereira Costa Ferreira Almeida Carvalho Gomes Martins Araujo Ribeiro Rocha Lima Barbosa Cardoso Teixeira Moreira Mendes"),
		syll:   words("sil san ol sou pe cos fer al car go ma ra ri bar te mo")},
	{name: "french", parts: 2,
		given:  words("Jean Pierre Michel Philippe Alain Nicolas Christophe Francois Laurent Julien Thomas Antoine Mathieu Marie Nathalie Isabelle Sylvie Catherine Sophie Claire Camille Julie Celine"),
		family: words("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier Dupont Lambert Bonnet Francois Martinez"),
		syll:   words("ber du ro ri pe le mo si lau fe mi ga da ver four gi mer pont lam bon")},
	{name: "german", parts: 2,
		given:  words("Thomas Michael Andreas Stefan Christian Markus Martin Frank Peter Klaus Juergen Wolfgang Uwe Tobias Jan Sabine Petra Claudia Andrea Susanne Monika Katrin Anja Julia"),
		family: words("Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schaefer Koch Bauer Richter Klein Wolf Schroeder Neumann Schwarz Zimmermann Braun Krueger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann"),
		syll:   words("mu schmi schnei fi we me wag be schu hof ko bau rich klei ber mann er")},
	{name: "english", parts: 2,
		given:  words("James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Mark Paul Steven Andrew Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Emily Emma Olivia"),
		family: words("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Moore Jackson White Harris Thompson Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner"),
		syll:   words("ash ford ton ley ham wood field bur by well ing stone brook mor win")},
	{name: "italian", parts: 2,
		given:  words("Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore Marco Luca Alessandro Andrea Paolo Giulia Francesca Chiara Sara Valentina Elena Anna"),
		family: words("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti DeLuca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi"),
		syll:   words("ro ru fe ra es po bian co lom ri ma gre bru gal con man gior riz lom mo")},
	{name: "polish", parts: 2,
		given:  words("Piotr Krzysztof Andrzej Tomasz Pawel Marcin Michal Jakub Grzegorz Lukasz Anna Katarzyna Malgorzata Agnieszka Barbara Ewa Magdalena Joanna"),
		family: words("Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak Dabrowski Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski"),
		syll:   words("no ko wal wis woj ka le zie szy woz dab jan ma kwiat kraw grab ski czyk")},
	{name: "indonesian", parts: 2,
		given:  words("Budi Agus Joko Dedi Hendra Rudi Eko Bambang Wahyu Slamet Siti Sri Dewi Ratna Wati Indah Putri Ayu"),
		family: words("Santoso Wijaya Susanto Hidayat Saputra Kurniawan Setiawan Pratama Gunawan Halim Nugroho Wibowo Siregar Nasution Lubis Harahap Simanjuntak Sitompul"),
		syll:   words("san to wi ja su har ta ku ni se ti pra gu na nu gro si re")},
	{name: "greek", parts: 2,
		given:  words("Georgios Dimitrios Konstantinos Ioannis Nikolaos Panagiotis Christos Vasileios Athanasios Maria Eleni Aikaterini Vasiliki Sofia Angeliki"),
		family: words("Papadopoulos Papadakis Georgiou Nikolaou Pappas Vlachos Oikonomou Konstantinou Dimitriou Antoniou Karagiannis Makris Ioannou Christodoulou Alexiou"),
		syll:   words("pa pa do pou los ka ra gi an nis ma kri vla chos")},
}

func words(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
			}
			start = -1
		} else if start < 0 {
			start = i
		}
	}
	return out
}
