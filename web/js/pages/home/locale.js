// The home app's strings: the landing page and the page for unknown addresses.
// Merged into i18n through apps.js; keys here belong to this app alone.
export default {
  ko: {
    'home.title': '나만의 AI 어시스턴트와 모의 기술면접 코치',
    'home.hello': '{name}님, 다시 오신 걸 환영해요',
    'home.lead': '면접 도우미, 변수명 추천 등 여러 어시스턴트와 대화하고, 채점과 피드백이 있는 모의 기술면접으로 연습하고, 중요한 질문은 즐겨찾기에 모아 두세요. 대화 내용은 본인만 볼 수 있습니다.',
    'home.quotaNote': '계정마다 하루에 쓸 수 있는 AI 요청 수가 정해져 있으며 자정에 초기화됩니다.',

    'notfound.title': '페이지를 찾을 수 없어요',
    'notfound.body': '이 주소에는 아무것도 없습니다.',
    'notfound.home': '홈으로',
  },
  en: {
    'home.title': 'Your own AI assistant, with a mock interview coach',
    'home.hello': 'Welcome back, {name}',
    'home.lead': 'Chat with assistants for interviews, naming and more, practise technical interviews with graded answers, and keep the questions that matter. Your conversations are visible only to you.',
    'home.quotaNote': 'Each account has a small number of AI requests per day; the counter resets at midnight.',

    'notfound.title': 'Page not found',
    'notfound.body': 'There is nothing at this address.',
    'notfound.home': 'Go home',
  },
};
