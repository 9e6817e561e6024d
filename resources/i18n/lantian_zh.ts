<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>AlarmModel</name>
    <message>
      <source>priority</source>
      <translation>优先级</translation>
    </message>
    <message>
      <source>state</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>category</source>
      <translation>类别</translation>
    </message>
    <message>
      <source>source</source>
      <translation>来源</translation>
    </message>
    <message>
      <source>condition</source>
      <translation>条件</translation>
    </message>
    <message>
      <source>raised</source>
      <translation>触发时间</translation>
    </message>
    <message>
      <source>acked by</source>
      <translation>确认人</translation>
    </message>
    <message>
      <source>message</source>
      <translation>内容</translation>
    </message>
    <message>
      <source>high</source>
      <translation>高</translation>
    </message>
    <message>
      <source>medium</source>
      <translation>中</translation>
    </message>
    <message>
      <source>low</source>
      <translation>低</translation>
    </message>
    <message>
      <source>exceedance</source>
      <translation>超标</translation>
    </message>
    <message>
      <source>forecast</source>
      <translation>预报</translation>
    </message>
    <message>
      <source>data feed</source>
      <translation>数据接入</translation>
    </message>
    <message>
      <source>station</source>
      <translation>站点</translation>
    </message>
  </context>
  <context>
    <name>AlarmPanel</name>
    <message>
      <source>open</source>
      <translation>未关闭</translation>
    </message>
    <message>
      <source>unacknowledged</source>
      <translation>未确认</translation>
    </message>
    <message>
      <source>shelved</source>
      <translation>已搁置</translation>
    </message>
    <message>
      <source>all states</source>
      <translation>全部状态</translation>
    </message>
    <message>
      <source>all priorities</source>
      <translation>全部优先级</translation>
    </message>
    <message>
      <source>high</source>
      <translation>高</translation>
    </message>
    <message>
      <source>high + medium</source>
      <translation>高 + 中</translation>
    </message>
    <message>
      <source>all categories</source>
      <translation>全部类别</translation>
    </message>
    <message>
      <source>filter: source / text</source>
      <translation>筛选：来源 / 内容</translation>
    </message>
    <message>
      <source>Acknowledge</source>
      <translation>确认</translation>
    </message>
    <message>
      <source>Shelve…</source>
      <translation>搁置…</translation>
    </message>
    <message>
      <source>open {open} · unacknowledged {unack} · high unacknowledged {high}</source>
      <translation>未关闭 {open} · 未确认 {unack} · 高优先级未确认 {high}</translation>
    </message>
    <message>
      <source>{n} NEW HIGH-PRIORITY ALARM(S)</source>
      <translation>{n} 条新的高优先级报警</translation>
    </message>
    <message>
      <source>acknowledged {n} alarm(s)</source>
      <translation>已确认 {n} 条报警</translation>
    </message>
    <message>
      <source>shelved {n} alarm(s)</source>
      <translation>已搁置 {n} 条报警</translation>
    </message>
  </context>
  <context>
    <name>BriefPanel</name>
    <message>
      <source>Daily briefing</source>
      <translation>空气质量专报</translation>
    </message>
    <message>
      <source>Episode consultation</source>
      <translation>重污染天气会商报告</translation>
    </message>
    <message>
      <source>Post-episode assessment</source>
      <translation>过程评估报告</translation>
    </message>
    <message>
      <source>Report type</source>
      <translation>报告类型</translation>
    </message>
    <message>
      <source>all cities (e.g. 南宁市, 450200)</source>
      <translation>全部城市（例如 南宁市, 450200）</translation>
    </message>
    <message>
      <source>Language of the report</source>
      <translation>报告语言</translation>
    </message>
    <message>
      <source>Preview</source>
      <translation>预览</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Choose the report type and day, then Preview.</source>
      <translation>选择报告类型和日期后点击“预览”。</translation>
    </message>
    <message>
      <source>Error: {msg}</source>
      <translation>错误：{msg}</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>已取消。</translation>
    </message>
    <message>
      <source>Rendering the preview…</source>
      <translation>正在生成预览…</translation>
    </message>
    <message>
      <source>forecast</source>
      <translation>预报</translation>
    </message>
    <message>
      <source>source apportionment</source>
      <translation>来源解析</translation>
    </message>
    <message>
      <source>warnings</source>
      <translation>预警</translation>
    </message>
    <message>
      <source>measures</source>
      <translation>措施</translation>
    </message>
    <message>
      <source>, </source>
      <translation>、</translation>
    </message>
    <message>
      <source>{title}: {n} page(s)</source>
      <translation>{title}：共 {n} 页</translation>
    </message>
    <message>
      <source> (not included: {parts})</source>
      <translation>（未包含：{parts}）</translation>
    </message>
    <message>
      <source>Export report</source>
      <translation>导出报告</translation>
    </message>
    <message>
      <source>Exporting {path}…</source>
      <translation>正在导出 {path}…</translation>
    </message>
    <message>
      <source>Exported: {path}</source>
      <translation>已导出：{path}</translation>
    </message>
  </context>
  <context>
    <name>ClockBar</name>
    <message>
      <source>Live</source>
      <translation>实时</translation>
    </message>
    <message>
      <source>Follow the newest data</source>
      <translation>跟随最新数据</translation>
    </message>
    <message>
      <source>Replay</source>
      <translation>回放</translation>
    </message>
    <message>
      <source>Scrub or play the stored period hour by hour</source>
      <translation>拖动或逐小时播放已存数据</translation>
    </message>
    <message>
      <source>Play / pause the replay</source>
      <translation>播放/暂停回放</translation>
    </message>
    <message>
      <source>One hour back</source>
      <translation>后退一小时</translation>
    </message>
    <message>
      <source>One hour forward</source>
      <translation>前进一小时</translation>
    </message>
    <message>
      <source>Worst episode</source>
      <translation>最重污染过程</translation>
    </message>
    <message>
      <source>Jump to the peak hour of the worst episode in the data</source>
      <translation>跳到数据中最重污染过程的峰值小时</translation>
    </message>
    <message>
      <source>1 day/s</source>
      <translation>1天/秒</translation>
    </message>
    <message>
      <source>%1 h/s</source>
      <translation>%1小时/秒</translation>
    </message>
  </context>
  <context>
    <name>CommandDocks</name>
    <message>
      <source>Alarms</source>
      <translation>报警</translation>
    </message>
    <message>
      <source>Warnings</source>
      <translation>预警</translation>
    </message>
    <message>
      <source>Timeline</source>
      <translation>时间线</translation>
    </message>
    <message>
      <source>Sources (PMF)</source>
      <translation>源解析 (PMF)</translation>
    </message>
    <message>
      <source>Briefing</source>
      <translation>简报</translation>
    </message>
    <message>
      <source>Forecast</source>
      <translation>预报</translation>
    </message>
    <message>
      <source>Opens when the data are loaded…</source>
      <translation>数据加载后打开…</translation>
    </message>
    <message>
      <source>Mode</source>
      <translation>模式</translation>
    </message>
    <message>
      <source>⚠ %1 new high-priority alarm(s)</source>
      <translation>⚠ %1 条新的高优先级报警</translation>
    </message>
  </context>
  <context>
    <name>DayCard</name>
    <message>
      <source>category of the median daily AQI and its probability</source>
      <translation>日均AQI中位数所在级别及其概率</translation>
    </message>
    <message>
      <source>primary pollutant</source>
      <translation>首要污染物</translation>
    </message>
    <message>
      <source>probability of each category:</source>
      <translation>各级别概率：</translation>
    </message>
  </context>
  <context>
    <name>ForecastPanel</name>
    <message>
      <source>City</source>
      <translation>城市</translation>
    </message>
    <message>
      <source>Variable</source>
      <translation>变量</translation>
    </message>
    <message>
      <source>Weather forecast</source>
      <translation>气象预报</translation>
    </message>
    <message>
      <source>Load weather-forecast fields (NetCDF or GRIB, with lead times) for the forecast</source>
      <translation>为预报载入气象预报场（NetCDF 或 GRIB，含预报时效）</translation>
    </message>
    <message>
      <source>Load weather forecast (NetCDF/GRIB)…</source>
      <translation>载入气象预报（NetCDF/GRIB）…</translation>
    </message>
    <message>
      <source>NetCDF valid times are UTC (GRIB always is)</source>
      <translation>NetCDF 有效时间为世界时（GRIB 一律为世界时）</translation>
    </message>
    <message>
      <source>Forecast without the weather forecast</source>
      <translation>不用气象预报进行预报</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>Write the forecast shown (all cities: hourly quantiles, the 3-day outlook and what it was issued from) as CSV and JSON files</source>
      <translation>将当前预报（全部城市：逐时分位数、未来三天展望及其起报依据）写为 CSV 和 JSON 文件</translation>
    </message>
    <message>
      <source>No forecast yet — set the console clock.</source>
      <translation>尚无预报——请设置控制台时钟。</translation>
    </message>
    <message>
      <source>3-day AQI outlook</source>
      <translation>未来三天空气质量预报</translation>
    </message>
    <message>
      <source>(daily AQI, HJ 633)</source>
      <translation>（日均AQI，HJ 633）</translation>
    </message>
    <message>
      <source>Load a weather forecast</source>
      <translation>载入气象预报</translation>
    </message>
    <message>
      <source>Weather forecasts (NetCDF, GRIB)</source>
      <translation>气象预报（NetCDF、GRIB）</translation>
    </message>
    <message>
      <source>All files</source>
      <translation>所有文件</translation>
    </message>
    <message>
      <source>reading {file} …</source>
      <translation>正在读取 {file} …</translation>
    </message>
    <message>
      <source>Export the forecast to a folder</source>
      <translation>将预报导出到文件夹</translation>
    </message>
    <message>
      <source>Export failed: {reason}</source>
      <translation>导出失败：{reason}</translation>
    </message>
    <message>
      <source>Exported to {folder}: {files}</source>
      <translation>已导出到 {folder}：{files}</translation>
    </message>
    <message>
      <source>weather forecast not loaded — {reason}</source>
      <translation>气象预报未载入 — {reason}</translation>
    </message>
    <message>
      <source>weather: {file}</source>
      <translation>气象预报：{file}</translation>
    </message>
    <message>
      <source>{file}: valid {start} … {end} (Beijing time); {variables}</source>
      <translation>{file}：有效时间 {start} … {end}（北京时）；{variables}</translation>
    </message>
    <message>
      <source> (not used by this model)</source>
      <translation>（本模型不使用）</translation>
    </message>
    <message>
      <source>Forecasting from {time} …</source>
      <translation>正在以 {time} 为起报时间预报…</translation>
    </message>
    <message>
      <source>Issued {issued} (data up to the clock only) · model {model} trained {start} … {end}</source>
      <translation>起报 {issued}（仅用截至时钟的数据）· 模型 {model}，训练期 {start} … {end}</translation>
    </message>
    <message>
      <source> · note: the model's training period extends past this clock (demo model fitted on the whole demo record); inputs are still only data up to the clock</source>
      <translation> · 注意：模型训练期晚于此时钟（演示模型用全部演示数据训练）；输入仍只用截至时钟的数据</translation>
    </message>
    <message>
      <source> · seasonal prior {version}: exceedance odds of month(s) {months} moved for {pollutants} (months the model did not see in training)</source>
      <translation> · 季节先验 {version}：已调整 {pollutants} 在 {months} 月的超标概率（模型训练中未见过的月份）</translation>
    </message>
    <message>
      <source>NO weather input: forecast from past concentrations, calendar and neighbouring sites only</source>
      <translation>无气象输入：仅依据历史浓度、日历和邻近城市预报</translation>
    </message>
    <message>
      <source>observed meteorology up to the issue time only (no weather forecast loaded)</source>
      <translation>仅用截至起报时刻的实测气象（未载入气象预报场）</translation>
    </message>
    <message>
      <source>weather forecast {file}{run}: valid {start} … {end} (Beijing time), covering {n} of the {total} forecast hours</source>
      <translation>气象预报 {file}{run}：有效时间 {start} … {end}（北京时），覆盖 {total} 个预报时次中的 {n} 个</translation>
    </message>
    <message>
      <source>, run {run} UTC</source>
      <translation>，起报 {run}（世界时）</translation>
    </message>
    <message>
      <source>; the other hours have NO weather input</source>
      <translation>；其余时次无气象输入</translation>
    </message>
    <message>
      <source> · weather forecast {file} loaded but not used: this model was trained without weather input</source>
      <translation> · 已载入气象预报 {file} 但未使用：本模型训练时未用气象输入</translation>
    </message>
    <message>
      <source> · NO data from the neighbouring (upwind) cities</source>
      <translation> · 无邻近（上风向）城市数据</translation>
    </message>
    <message>
      <source> · neighbouring (upwind) cities with data: {n} of {total}</source>
      <translation> · 有数据的邻近（上风向）城市：{n}/{total}</translation>
    </message>
    <message>
      <source> · not forecast (the model was not trained for them): {cities}</source>
      <translation> · 未预报（模型未针对这些城市训练）：{cities}</translation>
    </message>
    <message>
      <source>Forecast at {time} failed: {reason}</source>
      <translation>{time} 预报失败：{reason}</translation>
    </message>
    <message>
      <source>P50 forecast</source>
      <translation>预报中位数 P50</translation>
    </message>
    <message>
      <source>observed</source>
      <translation>实测</translation>
    </message>
    <message>
      <source>issued</source>
      <translation>起报</translation>
    </message>
    <message>
      <source>Beijing time (hour-ending)</source>
      <translation>北京时间（时段末）</translation>
    </message>
    <message>
      <source>{city} — {variable}: observed and 1–72 h forecast</source>
      <translation>{city} — {variable}：实测与未来1–72小时预报</translation>
    </message>
    <message>
      <source>no weather input</source>
      <translation>无气象输入</translation>
    </message>
    <message>
      <source>no daily forecast</source>
      <translation>无逐日预报</translation>
    </message>
    <message>
      <source>3-day AQI outlook — {city}</source>
      <translation>未来三天空气质量预报 — {city}</translation>
    </message>
    <message>
      <source>(daily AQI, HJ 633; daily models issued {time})</source>
      <translation>（日均AQI，HJ 633；逐日模型起报 {time}）</translation>
    </message>
  </context>
  <context>
    <name>HandoverDialog</name>
    <message>
      <source>Shift handover</source>
      <translation>交接班</translation>
    </message>
    <message>
      <source>note for the incoming shift</source>
      <translation>交班说明（给接班人）</translation>
    </message>
    <message>
      <source>Create note</source>
      <translation>生成交班记录</translation>
    </message>
    <message>
      <source>Sign as incoming</source>
      <translation>接班签字</translation>
    </message>
    <message>
      <source>outgoing: {name} ({role})</source>
      <translation>交班人：{name}（{role}）</translation>
    </message>
    <message>
      <source>Incoming user</source>
      <translation>接班人</translation>
    </message>
    <message>
      <source>Password</source>
      <translation>密码</translation>
    </message>
    <message>
      <source>handover #{id} created by {name}; waiting for the incoming signature</source>
      <translation>交班记录 #{id} 已由 {name} 生成，等待接班人签字</translation>
    </message>
    <message>
      <source>handover #{id} signed by {name}; open items carry over</source>
      <translation>交班记录 #{id} 已由 {name} 签字接班，未结事项转入本班</translation>
    </message>
    <message>
      <source>error: {text}</source>
      <translation>错误：{text}</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>in the future</source>
      <translation>在未来</translation>
    </message>
    <message>
      <source>%1 min</source>
      <translation>%1分钟</translation>
    </message>
    <message>
      <source>%1 h</source>
      <translation>%1小时</translation>
    </message>
    <message>
      <source>%1 days</source>
      <translation>%1天</translation>
    </message>
    <message>
      <source>Lantian 蓝天 — air-quality command console</source>
      <translation>蓝天 — 空气质量指挥控制台</translation>
    </message>
    <message>
      <source>Layers</source>
      <translation>图层</translation>
    </message>
    <message>
      <source>City ranking</source>
      <translation>城市排名</translation>
    </message>
    <message>
      <source>Time series</source>
      <translation>时间序列</translation>
    </message>
    <message>
      <source>Clock</source>
      <translation>时钟</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Reload data</source>
      <translation>重新载入数据(&amp;R)</translation>
    </message>
    <message>
      <source>Save &amp;screenshot…</source>
      <translation>保存截图(&amp;S)…</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <source>Panels</source>
      <translation>面板</translation>
    </message>
    <message>
      <source>Reset map view</source>
      <translation>重置地图视图</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>System language</source>
      <translation>跟随系统</translation>
    </message>
    <message>
      <source>&amp;Clock</source>
      <translation>时钟(&amp;C)</translation>
    </message>
    <message>
      <source>Play / pause</source>
      <translation>播放/暂停</translation>
    </message>
    <message>
      <source>One hour back</source>
      <translation>后退一小时</translation>
    </message>
    <message>
      <source>One hour forward</source>
      <translation>前进一小时</translation>
    </message>
    <message>
      <source>One day back</source>
      <translation>后退一天</translation>
    </message>
    <message>
      <source>One day forward</source>
      <translation>前进一天</translation>
    </message>
    <message>
      <source>Live (newest data)</source>
      <translation>实时（最新数据）</translation>
    </message>
    <message>
      <source>Worst episode</source>
      <translation>最重污染过程</translation>
    </message>
    <message>
      <source>&amp;AQI</source>
      <translation>&amp;AQI</translation>
    </message>
    <message>
      <source>Standard by date (HJ 633-2012, HJ 633-2026 from 2026-03-01)</source>
      <translation>按日期选标准（HJ 633-2012；2026-03-01起 HJ 633-2026）</translation>
    </message>
    <message>
      <source>Always HJ 633-2012</source>
      <translation>始终 HJ 633-2012</translation>
    </message>
    <message>
      <source>Always HJ 633-2026</source>
      <translation>始终 HJ 633-2026</translation>
    </message>
    <message>
      <source>As published by the national platform (1-h PM)</source>
      <translation>按国家平台发布口径（颗粒物1小时值）</translation>
    </message>
    <message>
      <source>As written in the standard (24-h PM)</source>
      <translation>按标准文本（颗粒物24小时滑动均值）</translation>
    </message>
    <message>
      <source>C&amp;ommand</source>
      <translation>指挥(&amp;O)</translation>
    </message>
    <message>
      <source>Sign in / switch user…</source>
      <translation>登录 / 切换用户…</translation>
    </message>
    <message>
      <source>Sign out</source>
      <translation>退出登录</translation>
    </message>
    <message>
      <source>Shift handover…</source>
      <translation>交接班…</translation>
    </message>
    <message>
      <source>Mute alarm sound</source>
      <translation>报警静音</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <source>&amp;About Lantian</source>
      <translation>关于蓝天(&amp;A)</translation>
    </message>
    <message>
      <source>Loading cancelled</source>
      <translation>已取消载入</translation>
    </message>
    <message>
      <source>Loading data…</source>
      <translation>正在载入数据…</translation>
    </message>
    <message>
      <source>Preparing the built-in demo (first start)…</source>
      <translation>正在准备内置演示数据（首次启动）…</translation>
    </message>
    <message>
      <source>Reading the database…</source>
      <translation>正在读取数据库…</translation>
    </message>
    <message>
      <source>Computing AQI…</source>
      <translation>正在计算AQI…</translation>
    </message>
    <message>
      <source>Finding the worst episode…</source>
      <translation>正在查找最重污染过程…</translation>
    </message>
    <message>
      <source>Reading stations…</source>
      <translation>正在读取站点…</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <source>Data loaded: %1 cities, %2 hours</source>
      <translation>已载入：%1个城市，%2小时</translation>
    </message>
    <message>
      <source>Lantian</source>
      <translation>蓝天</translation>
    </message>
    <message>
      <source>No data loaded</source>
      <translation>未载入数据</translation>
    </message>
    <message>
      <source>Newest data %1 (age %2)</source>
      <translation>最新数据 %1（距今%2）</translation>
    </message>
    <message>
      <source>Database: %1</source>
      <translation>数据库：%1</translation>
    </message>
    <message>
      <source>published</source>
      <translation>发布口径</translation>
    </message>
    <message>
      <source>standard text</source>
      <translation>标准文本</translation>
    </message>
    <message>
      <source>AQI rules: %1 (%2)</source>
      <translation>AQI规则：%1（%2）</translation>
    </message>
    <message>
      <source>No users yet — create the first commander…</source>
      <translation>尚无用户 — 创建第一位指挥长…</translation>
    </message>
    <message>
      <source>Not signed in — sign in…</source>
      <translation>未登录 — 点击登录…</translation>
    </message>
    <message>
      <source>User: %1 (%2)</source>
      <translation>用户：%1（%2）</translation>
    </message>
    <message>
      <source>The database is still opening; try again in a moment.</source>
      <translation>数据库仍在打开，请稍后再试。</translation>
    </message>
    <message>
      <source>Signed in: %1 (%2)</source>
      <translation>已登录：%1（%2）</translation>
    </message>
    <message>
      <source>Sign in first (Command → Sign in): the handover note is created by the outgoing user.</source>
      <translation>请先登录（指挥 → 登录）：交班记录由交班人生成。</translation>
    </message>
    <message>
      <source>Save screenshot</source>
      <translation>保存截图</translation>
    </message>
    <message>
      <source>Could not write %1</source>
      <translation>无法写入 %1</translation>
    </message>
    <message>
      <source>About Lantian</source>
      <translation>关于蓝天</translation>
    </message>
    <message>
      <source>Lantian (蓝天) — decision support and pollution-episode command console for Guangxi.
Demo data: real hourly city data from the national monitoring platform (CNEMC), 2018-12 to 2019-06.</source>
      <translation>蓝天 — 广西大气污染过程决策支持与应急指挥控制台。
演示数据：全国城市空气质量实时发布平台（CNEMC）真实城市小时数据，2018-12 至 2019-06。</translation>
    </message>
    <message>
      <source>Settings not saved: %1</source>
      <translation>设置未保存：%1</translation>
    </message>
  </context>
  <context>
    <name>MapLayers</name>
    <message>
      <source>Primary pollutant</source>
      <translation>首要污染物</translation>
    </message>
    <message>
      <source>no data</source>
      <translation>无数据</translation>
    </message>
    <message>
      <source>Rules</source>
      <translation>规则</translation>
    </message>
    <message>
      <source>City AQI</source>
      <translation>城市AQI</translation>
    </message>
    <message>
      <source>Monitoring station</source>
      <translation>监测站点</translation>
    </message>
    <message>
      <source>No station-level data in this dataset</source>
      <translation>本数据集无站点级数据</translation>
    </message>
  </context>
  <context>
    <name>MapWidget</name>
    <message>
      <source>Loading data…</source>
      <translation>正在载入数据…</translation>
    </message>
  </context>
  <context>
    <name>PMFPanel</name>
    <message>
      <source>Data</source>
      <translation>数据</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>运行</translation>
    </message>
    <message>
      <source>Concentrations…</source>
      <translation>浓度文件…</translation>
    </message>
    <message>
      <source>Uncertainties…</source>
      <translation>不确定度文件…</translation>
    </message>
    <message>
      <source>MDL…</source>
      <translation>检出限(MDL)…</translation>
    </message>
    <message>
      <source>error fraction</source>
      <translation>误差比例</translation>
    </message>
    <message>
      <source>total variable</source>
      <translation>总量变量</translation>
    </message>
    <message>
      <source>(none)</source>
      <translation>（无）</translation>
    </message>
    <message>
      <source>factors</source>
      <translation>因子数</translation>
    </message>
    <message>
      <source>random starts</source>
      <translation>随机初值次数</translation>
    </message>
    <message>
      <source>seed</source>
      <translation>随机种子</translation>
    </message>
    <message>
      <source>bootstrap runs</source>
      <translation>Bootstrap 次数</translation>
    </message>
    <message>
      <source>BS-DISP runs</source>
      <translation>BS-DISP 次数</translation>
    </message>
    <message>
      <source>worker processes</source>
      <translation>并行进程数</translation>
    </message>
    <message>
      <source>robust (α = 4)</source>
      <translation>稳健模式（α = 4）</translation>
    </message>
    <message>
      <source>DISP (all species)</source>
      <translation>DISP（全部物种）</translation>
    </message>
    <message>
      <source>Scan factor counts</source>
      <translation>扫描因子数</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>species</source>
      <translation>物种</translation>
    </message>
    <message>
      <source>missing</source>
      <translation>缺失</translation>
    </message>
    <message>
      <source>category</source>
      <translation>类别</translation>
    </message>
    <message>
      <source>Species</source>
      <translation>物种</translation>
    </message>
    <message>
      <source>Factor count</source>
      <translation>因子数</translation>
    </message>
    <message>
      <source>Profiles</source>
      <translation>源谱</translation>
    </message>
    <message>
      <source>Contributions</source>
      <translation>源贡献</translation>
    </message>
    <message>
      <source>Residuals</source>
      <translation>残差</translation>
    </message>
    <message>
      <source>Q(true)/Qexp vs number of factors</source>
      <translation>Q(true)/Qexp 随因子数变化</translation>
    </message>
    <message>
      <source>factor</source>
      <translation>因子</translation>
    </message>
    <message>
      <source>name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>factor name</source>
      <translation>因子名称</translation>
    </message>
    <message>
      <source>profile: concentration of species (log scale)</source>
      <translation>源谱：各物种浓度（对数坐标）</translation>
    </message>
    <message>
      <source>% of species in this factor</source>
      <translation>该因子中各物种占比（%）</translation>
    </message>
    <message>
      <source>factor contributions (drag the shaded period)</source>
      <translation>因子贡献（拖动阴影时段）</translation>
    </message>
    <message>
      <source>error estimation for the selected factor</source>
      <translation>所选因子的误差估计</translation>
    </message>
    <message>
      <source>scaled residuals (X − GF)/U</source>
      <translation>标度残差 (X − GF)/U</translation>
    </message>
    <message>
      <source>Q per species / samples</source>
      <translation>各物种 / 样品的 Q</translation>
    </message>
    <message>
      <source>no result yet</source>
      <translation>尚无结果</translation>
    </message>
    <message>
      <source>load a concentration file and its uncertainties</source>
      <translation>请载入浓度文件及其不确定度文件</translation>
    </message>
    <message>
      <source>{which} file</source>
      <translation>{which} 文件</translation>
    </message>
    <message>
      <source>PMF data</source>
      <translation>PMF 数据</translation>
    </message>
    <message>
      <source>All files</source>
      <translation>所有文件</translation>
    </message>
    <message>
      <source>concentrations: {file}</source>
      <translation>浓度：{file}</translation>
    </message>
    <message>
      <source>uncertainties: {file}</source>
      <translation>不确定度：{file}</translation>
    </message>
    <message>
      <source>{n} samples × {m} species loaded</source>
      <translation>已载入 {n} 个样品 × {m} 个物种</translation>
    </message>
    <message>
      <source>strong</source>
      <translation>强</translation>
    </message>
    <message>
      <source>weak</source>
      <translation>弱</translation>
    </message>
    <message>
      <source>bad</source>
      <translation>剔除</translation>
    </message>
    <message>
      <source>load a concentration file and its uncertainties first</source>
      <translation>请先载入浓度文件及其不确定度文件</translation>
    </message>
    <message>
      <source>scanning factor counts…</source>
      <translation>正在扫描因子数…</translation>
    </message>
    <message>
      <source>running {factors} factors × {starts} starts…</source>
      <translation>正在运行 {factors} 个因子 × {starts} 个初值…</translation>
    </message>
    <message>
      <source>cancelling…</source>
      <translation>正在取消…</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <source>factor scan done: </source>
      <translation>因子数扫描完成：</translation>
    </message>
    <message>
      <source>contribution to {total}</source>
      <translation>对 {total} 的贡献</translation>
    </message>
    <message>
      <source>normalised contribution</source>
      <translation>归一化贡献</translation>
    </message>
    <message>
      <source>modelled mass</source>
      <translation>模拟质量</translation>
    </message>
    <message>
      <source>share of {what}, {n} samples in period</source>
      <translation>{what}的分担率，时段内 {n} 个样品</translation>
    </message>
    <message>
      <source>run with bootstrap and/or DISP to see intervals</source>
      <translation>运行 Bootstrap 和/或 DISP 以查看区间</translation>
    </message>
    <message>
      <source>nothing to export yet</source>
      <translation>尚无可导出的结果</translation>
    </message>
    <message>
      <source>export PMF result to folder</source>
      <translation>将 PMF 结果导出到文件夹</translation>
    </message>
    <message>
      <source>exported {n} files to {folder}</source>
      <translation>已导出 {n} 个文件到 {folder}</translation>
    </message>
  </context>
  <context>
    <name>RankingModel</name>
    <message>
      <source>City</source>
      <translation>城市</translation>
    </message>
    <message>
      <source>Level</source>
      <translation>级别</translation>
    </message>
    <message>
      <source>Primary</source>
      <translation>首要污染物</translation>
    </message>
    <message>
      <source>24 h Δ</source>
      <translation>24小时变化</translation>
    </message>
    <message>
      <source>1-h concentration, mg/m³</source>
      <translation>1小时浓度，mg/m³</translation>
    </message>
    <message>
      <source>1-h concentration, µg/m³</source>
      <translation>1小时浓度，µg/m³</translation>
    </message>
    <message>
      <source>AQI change against the same hour the day before</source>
      <translation>与前一天同一小时相比的AQI变化</translation>
    </message>
  </context>
  <context>
    <name>ShelveDialog</name>
    <message>
      <source>Shelve alarm</source>
      <translation>搁置报警</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>原因</translation>
    </message>
    <message>
      <source>Hours</source>
      <translation>小时</translation>
    </message>
  </context>
  <context>
    <name>SignInDialog</name>
    <message>
      <source>Sign in</source>
      <translation>登录</translation>
    </message>
    <message>
      <source>Create the first commander</source>
      <translation>创建第一位指挥长</translation>
    </message>
    <message>
      <source>This database has no users yet. Create the first user — a commander, who may approve warnings. More users: lantian users add NAME --role operator|analyst|commander.</source>
      <translation>此数据库还没有用户。请创建第一位用户——指挥长（可批准预警）。添加更多用户：lantian users add 姓名 --role operator|analyst|commander。</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Password</source>
      <translation>密码</translation>
    </message>
    <message>
      <source>Repeat password</source>
      <translation>确认密码</translation>
    </message>
    <message>
      <source>User</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>The passwords differ.</source>
      <translation>两次输入的密码不一致。</translation>
    </message>
  </context>
  <context>
    <name>TimeSeriesPanel</name>
    <message>
      <source>Drag the blue line to move the clock · wheel zooms the time axis</source>
      <translation>拖动蓝线改变时钟 · 滚轮缩放时间轴</translation>
    </message>
    <message>
      <source>Compare cities</source>
      <translation>对比城市</translation>
    </message>
    <message>
      <source>Whole period</source>
      <translation>全时段</translation>
    </message>
    <message>
      <source>Clock ±3.5 d</source>
      <translation>时钟前后3.5天</translation>
    </message>
    <message>
      <source>Zoom to period</source>
      <translation>框选时段</translation>
    </message>
    <message>
      <source>Drag over the period to show; click again to pan with the mouse</source>
      <translation>拖动选择要显示的时段；再次点击恢复鼠标平移</translation>
    </message>
    <message>
      <source>Show %1</source>
      <translation>显示 %1</translation>
    </message>
  </context>
  <context>
    <name>WarningsPanel</name>
    <message>
      <source>issue</source>
      <translation>发布</translation>
    </message>
    <message>
      <source>upgrade</source>
      <translation>升级</translation>
    </message>
    <message>
      <source>downgrade</source>
      <translation>降级</translation>
    </message>
    <message>
      <source>lift</source>
      <translation>解除</translation>
    </message>
    <message>
      <source>keep</source>
      <translation>维持</translation>
    </message>
    <message>
      <source>Warning decision — {city}</source>
      <translation>预警决策 — {city}</translation>
    </message>
    <message>
      <source>reason (required)</source>
      <translation>理由（必填）</translation>
    </message>
    <message>
      <source>recommended: {level} ({basis}; {scheme})</source>
      <translation>建议：{level}（{basis}；{scheme}）</translation>
    </message>
    <message>
      <source>lifting rule: {why}</source>
      <translation>解除规则：{why}</translation>
    </message>
    <message>
      <source>In force</source>
      <translation>当前</translation>
    </message>
    <message>
      <source>Level</source>
      <translation>级别</translation>
    </message>
    <message>
      <source>Evidence</source>
      <translation>依据</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>理由</translation>
    </message>
    <message>
      <source>Recommend from:</source>
      <translation>建议依据：</translation>
    </message>
    <message>
      <source>forecast model (D+1…D+3 outlook)</source>
      <translation>预报模型（未来1～3天展望）</translation>
    </message>
    <message>
      <source>observed AQI persisted (persistence)</source>
      <translation>观测AQI外推（持续性）</translation>
    </message>
    <message>
      <source>Which forecast the recommended level, the action and the decision dialog use; the other one is shown next to it.</source>
      <translation>建议级别、处置动作和决策对话框采用哪一种预报；另一种在旁列出以供对照。</translation>
    </message>
    <message>
      <source>city</source>
      <translation>城市</translation>
    </message>
    <message>
      <source>recommended</source>
      <translation>建议</translation>
    </message>
    <message>
      <source>in force</source>
      <translation>当前</translation>
    </message>
    <message>
      <source>action</source>
      <translation>动作</translation>
    </message>
    <message>
      <source>evidence</source>
      <translation>依据</translation>
    </message>
    <message>
      <source>scheme</source>
      <translation>方案</translation>
    </message>
    <message>
      <source>level</source>
      <translation>级别</translation>
    </message>
    <message>
      <source>proposed by / reason</source>
      <translation>提出人 / 理由</translation>
    </message>
    <message>
      <source>Issue / change / lift…</source>
      <translation>发布/调整/解除…</translation>
    </message>
    <message>
      <source>Approve</source>
      <translation>批准</translation>
    </message>
    <message>
      <source>Reject</source>
      <translation>驳回</translation>
    </message>
    <message>
      <source>Pending approval</source>
      <translation>待批准</translation>
    </message>
    <message>
      <source>persistence</source>
      <translation>持续性</translation>
    </message>
    <message>
      <source>forecast model</source>
      <translation>预报模型</translation>
    </message>
    <message>
      <source>not signed in</source>
      <translation>未登录</translation>
    </message>
    <message>
      <source> — approval needs a commander</source>
      <translation> — 批准需要指挥员</translation>
    </message>
    <message>
      <source>forecast model unavailable: {why}</source>
      <translation>预报模型不可用：{why}</translation>
    </message>
    <message>
      <source>forecast model {model} (trained {start} … {end}), issued {issued}, daily AQI {first} to {last}</source>
      <translation>预报模型 {model}（训练期 {start} … {end}），{issued} 发布，日AQI {first} 至 {last}</translation>
    </message>
    <message>
      <source>persistence unavailable: {why}</source>
      <translation>持续性不可用：{why}</translation>
    </message>
    <message>
      <source>observed daily AQI of {day} repeated for {n} days (persistence, no forecast)</source>
      <translation>{day} 观测日AQI外推{n}天（持续性，非预报）</translation>
    </message>
    <message>
      <source>Basis: {basis}</source>
      <translation>依据：{basis}</translation>
    </message>
    <message>
      <source>no evaluation yet</source>
      <translation>尚未评估</translation>
    </message>
    <message>
      <source>Compared with: {basis}</source>
      <translation>对照：{basis}</translation>
    </message>
    <message>
      <source>daily AQI {values}</source>
      <translation>日AQI {values}</translation>
    </message>
    <message>
      <source> (rule met)</source>
      <translation>（满足规则）</translation>
    </message>
    <message>
      <source> (rule NOT met)</source>
      <translation>（不满足规则）</translation>
    </message>
    <message>
      <source>UNCONFIRMED</source>
      <translation>未确认</translation>
    </message>
    <message>
      <source>{basis}: daily AQI {values}</source>
      <translation>{basis}：日AQI {values}</translation>
    </message>
    <message>
      <source>The two bases disagree for this city.</source>
      <translation>两种依据对该城市的建议不一致。</translation>
    </message>
  </context>
</TS>
